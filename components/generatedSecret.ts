// Generated passwords and tokens, held by Pulumi's built-in Stash resource: the first value drawn is
// saved in the state and the stash returns it ever after (later runs draw a candidate that
// ignoreChanges discards, so nothing shows as a change). Built in, so no provider plugin is needed
// (the pulumi-random provider cannot be built on our CI machine for the real-engine suite).
import { randomInt } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";

/** Crypto-random text with at least two lower-case letters, upper-case letters and digits (and one of `specials` if given). */
export function randomText(length: number, specials = ""): string {
    const required = [LOWER, LOWER, UPPER, UPPER, DIGITS, DIGITS, ...(specials ? [specials] : [])];
    if (length < required.length * 2) throw new Error(`randomText: length ${length} is too short`);
    const all = LOWER + UPPER + DIGITS + specials;
    const chars = [...required, ...Array<string>(length - required.length).fill(all)].map((set) => set[randomInt(set.length)]);
    for (let i = chars.length - 1; i > 0; i--) {
        const j = randomInt(i + 1);
        [chars[i], chars[j]] = [chars[j], chars[i]];
    }
    return chars.join("");
}

/** A secret generated once per stack and kept in its (encrypted) state. */
export function generatedSecret(name: string, length: number, opts: pulumi.CustomResourceOptions, specials = ""): pulumi.Output<string> {
    const stash = new pulumi.Stash(
        name,
        { input: pulumi.secret(randomText(length, specials)) },
        { ...opts, ignoreChanges: ["input"], additionalSecretOutputs: ["output"] },
    );
    return pulumi.secret(stash.output as pulumi.Output<string>);
}
