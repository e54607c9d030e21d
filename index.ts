import { deployTarget, readConfig } from "./stacks";

export = deployTarget(readConfig());
