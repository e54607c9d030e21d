import { awsMock } from "./aws";
import { azureMock } from "./azure";
import { commonMock } from "./common";
import { gcpMock } from "./gcp";
import type { ResourceMock } from "./types";

export type { MockContext, ResourceMock } from "./types";
export const cloudMocks: ResourceMock[] = [commonMock, awsMock, azureMock, gcpMock];
