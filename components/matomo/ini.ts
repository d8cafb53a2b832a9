/**
 * Writes INI text the way Matomo's own config writer does: `key = "string"`, numbers and booleans
 * bare (booleans as 1/0), arrays as repeated `key[] = "value"` lines (Matomo ignores array
 * settings such as `trusted_hosts` written as a single value).
 */

export type IniValue = string | number | boolean | readonly string[];
export type IniSection = readonly (readonly [key: string, value: IniValue])[];

/**
 * A double-quoted INI string. PHP's `parse_ini_string` ends the value at a double quote,
 * interpolates `${...}` and mishandles backslashes and line breaks, so such text is refused here
 * (config validation rejects it earlier with a message naming the key).
 */
export function iniString(value: string): string {
    if (/["\\\r\n\0]/.test(value) || value.includes("${")) {
        throw new Error(`INI value contains characters config.ini.php cannot hold: ${JSON.stringify(value.slice(0, 20))}`);
    }
    return `"${value}"`;
}

function line(key: string, value: string | number | boolean): string {
    if (typeof value === "boolean") return `${key} = ${value ? 1 : 0}`;
    if (typeof value === "number") return `${key} = ${value}`;
    return `${key} = ${iniString(value)}`;
}

/** Renders sections in the given order; empty sections are left out. */
export function renderIni(sections: readonly (readonly [name: string, entries: IniSection])[], header = ""): string {
    const parts = sections
        .filter(([, entries]) => entries.length > 0)
        .map(([name, entries]) => {
            const lines = entries.flatMap(([key, value]) =>
                Array.isArray(value) ? value.map((v: string) => line(`${key}[]`, v)) : [line(key, value as string | number | boolean)],
            );
            return `[${name}]\n${lines.join("\n")}\n`;
        });
    return header + parts.join("\n");
}
