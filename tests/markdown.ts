// Markdown as GitHub reads it, for the docs tests: prose lines, heading anchors, relative links.
import * as path from "path";

/** Lines outside fenced code blocks (links and headings inside them are code, not markdown). */
export function proseLines(text: string): string[] {
    let fence = false;
    return text.split("\n").filter((line) => {
        if (/^\s*```/.test(line)) {
            fence = !fence;
            return false;
        }
        return !fence && !/^ {4}/.test(line);
    });
}

/** GitHub's heading anchors (github-slugger): lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchors(text: string): Set<string> {
    const seen = new Map<string, number>();
    const out = new Set<string>();
    for (const line of proseLines(text)) {
        const m = /^#{1,6} (.+?)\s*#*$/.exec(line);
        if (!m) continue;
        const plain = m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
        const base = plain
            .toLowerCase()
            .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
            .replace(/ /g, "-");
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        out.add(n === 0 ? base : `${base}-${n}`);
    }
    return out;
}

interface Link {
    file: string;
    target: string;
}

/** Relative links and images of a markdown file, outside code (fenced blocks and inline code spans). */
export function relativeLinks(file: string, text: string): Link[] {
    const links: Link[] = [];
    for (const line of proseLines(text)) {
        const prose = line.replace(/`[^`]*`/g, "");
        for (const m of prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
            if (!/^[a-z][a-z0-9+.-]*:/i.test(m[1])) links.push({ file, target: m[1] });
        }
    }
    return links;
}

/** Problems with a link: a missing file, or an anchor no heading of the target makes. */
export function brokenLink({ file, target }: Link, readFile: (f: string) => string | undefined): string | undefined {
    const [rawPath, anchor] = target.split("#", 2);
    const resolved = rawPath === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURI(rawPath)));
    const text = readFile(resolved);
    if (text === undefined) return `${file}: ${target}: no file ${resolved}`;
    if (anchor !== undefined && resolved.endsWith(".md") && !anchors(text).has(anchor)) return `${file}: ${target}: no heading makes #${anchor} in ${resolved}`;
    return undefined;
}
