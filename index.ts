import { deployTarget, preflight, readConfig } from "./stacks";

const cfg = readConfig();
preflight(cfg);
export = deployTarget(cfg);
