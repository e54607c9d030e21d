import { createHash } from "crypto";
import type { ResourceMock } from "./types";

const digest = (s: string) => createHash("sha256").update(s).digest("base64url");

/** @pulumi/random and @pulumi/kubernetes: what their providers compute. */
export const commonMock: ResourceMock = {
    newResource({ type, name, inputs }, ctx) {
        switch (type) {
            case "random:index/randomPassword:RandomPassword": {
                // Deterministic per name, so two runs of a stack compare equal, and unmistakable in a scan.
                const result = `Pw${digest(`password:${name}`).slice(0, Math.max(8, (inputs.length ?? 32) - 2))}`;
                ctx.generatedSecrets.push(result);
                return { result, bcryptHash: `$2a$10$${digest(result)}` };
            }
            case "random:index/randomString:RandomString":
                return { result: digest(`string:${name}`).slice(0, inputs.length ?? 16).toLowerCase() };
            case "random:index/randomId:RandomId":
                return { hex: createHash("sha256").update(name).digest("hex").slice(0, (inputs.byteLength ?? 8) * 2) };
        }
        if (type.startsWith("kubernetes:")) {
            const meta = inputs.metadata ?? {};
            return { metadata: { ...meta, name: meta.name ?? `${name}-mock`, uid: digest(name).slice(0, 12) }, status: {} };
        }
        return undefined;
    },
};
