import { createHash } from "crypto";
import type { ResourceMock } from "./types";

// Pulumi's marker of a serialized secret (sdk/nodejs/runtime/rpc.ts specialSigKey / specialSecretSig).
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const digest = (s: string) => createHash("sha256").update(s).digest("base64url");

/** Pulumi's built-in Stash and @pulumi/kubernetes: what their providers compute. */
export const commonMock: ResourceMock = {
    newResource({ type, name, inputs }, ctx) {
        switch (type) {
            case "pulumi:index:Stash": {
                // The mock monitor hands secret inputs over still wrapped (signature key + value). A plain
                // stash (e.g. zones chosen once) returns its input, as on a stack's first run.
                const secret = typeof inputs.input === "object" && inputs.input !== null && SECRET_SIG in inputs.input;
                if (!secret) return { output: inputs.input };
                // A generated secret returns the value it saved first, not this run's fresh candidate:
                // deterministic per name here, so two runs of a stack compare equal, and unmistakable in a scan.
                const input = String(inputs.input.value);
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
