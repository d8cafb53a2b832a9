/**
 * The one template step of the shipped scripts, for the few values a script cannot take from its
 * environment because they are part of the pod layout (paths, a port) or decide which of its lines
 * exist at all.
 *
 * - `@NAME@` (capitals, digits, `_`) is replaced by `values.NAME`;
 * - the lines between `# @if NAME` and `# @end` stay when `flags.NAME` is true and go otherwise;
 *   the marker lines themselves always go.
 *
 * A placeholder or block without a value, a value or flag the template does not mention, and an
 * unbalanced block all throw: a script and its caller cannot drift apart silently.
 */

const PLACEHOLDER = /@([A-Z][A-Z0-9_]*)@/g;
const IF = /^# @if ([A-Z][A-Z0-9_]*)$/;
const END = "# @end";

export function fillTemplate(
    text: string,
    values: Readonly<Record<string, string>>,
    flags: Readonly<Record<string, boolean>> = {},
): string {
    const mentioned = new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]));
    const kept: string[] = [];
    let block: string | undefined;
    for (const line of text.split("\n")) {
        const start = IF.exec(line)?.[1];
        if (start !== undefined) {
            if (block !== undefined) throw new Error(`template: "# @if ${start}" inside "# @if ${block}"`);
            if (!(start in flags)) throw new Error(`template: no flag ${start}`);
            mentioned.add(start);
            block = start;
        } else if (line === END) {
            if (block === undefined) throw new Error('template: "# @end" without "# @if"');
            block = undefined;
        } else if (block === undefined || flags[block]) {
            kept.push(line);
        }
    }
    if (block !== undefined) throw new Error(`template: "# @if ${block}" is not closed`);
    const unknown = [...Object.keys(values), ...Object.keys(flags)].filter((name) => !mentioned.has(name));
    if (unknown.length > 0) throw new Error(`template: ${unknown.join(", ")} not in the template`);
    return kept.join("\n").replace(PLACEHOLDER, (_match, name: string) => {
        if (!(name in values)) throw new Error(`template: no value for @${name}@`);
        return values[name];
    });
}
