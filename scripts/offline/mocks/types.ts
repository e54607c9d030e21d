import type { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime";

export interface MockContext {
    preview: boolean;
    /** Push every secret value a mock generates (password, token, kubeconfig) for the secret scan. */
    generatedSecrets: string[];
}

/** Realistic provider outputs for one family of resources; return undefined for types it doesn't know. */
export interface ResourceMock {
    newResource?(args: MockResourceArgs, ctx: MockContext): Record<string, any> | undefined;
    call?(args: MockCallArgs, ctx: MockContext): Record<string, any> | undefined;
}
