// Tags put on every taggable Azure resource (explicitly: transforms don't run under mocks). Pure.
import type { StackConfig } from "../../model/config";

export function azureTags(cfg: StackConfig, component: string): Record<string, string> {
    return { project: cfg.project, stack: cfg.stack, component, "managed-by": "pulumi" };
}
