import type { ResourceMock } from "./types";

// Realistic aws provider outputs; filled in by the aws stack.
export const awsMock: ResourceMock = {};
