import type { ResourceMock } from "./types";

// Realistic gcp provider outputs; filled in by the gcp stack.
export const gcpMock: ResourceMock = {};
