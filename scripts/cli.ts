// The command line of the scripts (plan, preflight, bench, bench:cost, dashboard): node's util.parseArgs
// with the convention of every command (tests/cli.spec.ts): -h/--help prints the usage (exit 0); a
// wrong argument prints one `error:` line and the usage (exit 2), never a stack trace.
// No Pulumi import: --help answers without loading the program.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

const HELP = { help: { type: "boolean", short: "h", default: false } } as const;

type Values<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: O & typeof HELP; allowPositionals: false }>>["values"];

/** Refuse the command line: one `error:` line and the usage on stderr, exit 2. */
export function usageError(usage: string, message: string): never {
    process.stderr.write(`error: ${message}\n\n${usage}\n`);
    process.exit(2);
}

/**
 * The options of `process.argv` (no positionals) by `options` plus -h/--help. Undefined when --help
 * printed the usage: the caller returns. An unknown or malformed option ends the process (usageError).
 */
export function commandLine<const O extends ParseArgsOptionsConfig>(usage: string, options: O): Values<O> | undefined {
    let values: { help?: unknown };
    try {
        ({ values } = parseArgs({ options: { ...options, ...HELP }, allowPositionals: false }));
    } catch (e) {
        usageError(usage, (e as Error).message.split("\n")[0]);
    }
    if (values.help) {
        process.stdout.write(`${usage}\n`);
        return undefined;
    }
    return values as Values<O>;
}
