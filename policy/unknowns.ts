// The analyzer's handling of values unknown during preview, shared by the offline runner and the rules
// that must tell an unknown they can ignore from one they cannot judge without. @pulumi/policy exports
// both at runtime but leaves them out of its typings (@internal); the analyzer (server.js) wraps every
// resource's properties in this proxy, and a rule that reads an unknown value throws this error, which
// the analyzer turns into an advisory "can't run policy ... during preview" (pulumi/pulumi-policy#218).
import * as policySdk from "@pulumi/policy";

export const { unknownCheckingProxy, UnknownValueError } = policySdk as unknown as {
    unknownCheckingProxy<T extends object>(this: void, props: T): T;
    UnknownValueError: new (...args: never[]) => Error;
};
