import type { ResourceMock } from "./types";

// Realistic azure provider outputs; filled in by the azure stack.
export const azureMock: ResourceMock = {};
