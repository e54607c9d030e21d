import { createHash } from "crypto";
import type { ResourceMock } from "./types";

const digest = (s: string) => createHash("sha256").update(s).digest("base64url");

/** Pulumi's built-in Stash and @pulumi/kubernetes: what their providers compute. */
export const commonMock: ResourceMock = {
    newResource({ type, name, inputs }, ctx) {
        switch (type) {
            case "pulumi:index:Stash": {
                // A stash returns the value it saved first, not this run's fresh candidate: deterministic
                // per name here, so two runs of a stack compare equal, and unmistakable in a scan.
                // The mock monitor hands secret inputs over still wrapped ({ value }).
                const input = String(inputs.input?.value ?? inputs.input);
                const output = `Pw${digest(`stash:${name}`).slice(0, Math.max(8, input.length - 2))}`;
                ctx.generatedSecrets.push(output, input);
                return { output };
            }
        }
        if (type.startsWith("kubernetes:")) {
            const meta = inputs.metadata ?? {};
            return { metadata: { ...meta, name: meta.name ?? `${name}-mock`, uid: digest(name).slice(0, 12) }, status: {} };
        }
        return undefined;
    },
};
