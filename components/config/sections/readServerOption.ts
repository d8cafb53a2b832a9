/**
 * One entry of `matomo:mariadb.commands` (`--name=value`) read as MariaDB reads it: the name found
 * in the server's list of options (serverOptionNames.ts), refused when it may not be set here
 * (serverOptionRules.ts), the value checked against the option's type (serverOptionValues.ts).
 * The result is the option as the config file gets it, and the setting it makes, so that two
 * entries that set one option differently are found.
 */
import { mariadbOptionTable, tableRelease } from "./mariadbOptionTable";
import { resolveOptionName } from "./serverOptionNames";
import { pluginSwitchReason, refusedOptionReason, refusedValueReason } from "./serverOptionRules";
import { canonicalValue, checkOptionValue } from "./serverOptionValues";

/** An entry read as the server reads it. */
export interface ReadOption {
    /** What the config file gets: the option's name in the table, and the value as written. */
    readonly option: { readonly name: string; readonly value?: string };
    /** The setting it makes: the option (aliases resolved) and what its value means. */
    readonly setting: string;
    readonly meaning: string;
}

const FORM = /^--([A-Za-z][A-Za-z0-9_-]*)(?:=(.*))?$/s;

/** What is wrong with text that is not `--name=value` at all. */
function formProblem(text: string): string {
    const example = "(e.g. --max_connections=300)";
    if (/^--[A-Za-z][\w-]*\s+\S/.test(text)) return `expected --name=value with "=" between name and value ${example}`;
    if (/^--[A-Za-z][\w-]*\.[\w-]+/.test(text)) return "named key caches (--<cache>.<option>) are not supported here";
    if (/^-[A-Za-z?]/.test(text)) return `expected the long form --name=value ${example}; short options such as -W are not read here`;
    if (/^[A-Za-z][\w-]*(?:=|$)/.test(text)) return `expected a server option in the form --name=value: write --${text}`;
    return `expected a server option in the form --name=value ${example}`;
}

/** The value without one pair of quotes around it, as the server's option file reader removes them. */
function unquote(value: string): string {
    const quoted = /^(["'])(.*)\1$/s.exec(value);
    return quoted ? quoted[2] : value;
}

/** Reads an entry; returns the reason when the server would not take it or it may not be set here. */
export function readServerOption(text: string): ReadOption | string {
    const form = FORM.exec(text.trim());
    if (!form) return formProblem(text.trim());
    const value = form[2] === undefined ? undefined : unquote(form[2].trim());
    if (value !== undefined && /[#\\]|^["'`]|["'`]$/.test(value)) {
        return "the value must not contain '#' or a backslash, nor begin or end with a quote: the config file it goes into would read them as a comment, an escape or a quotation";
    }
    const written = form[1].toLowerCase().replace(/-/g, "_");
    const resolved = resolveOptionName(written, value !== undefined);
    if (typeof resolved === "string") return resolved;
    const name = resolved.spec.aliasOf ?? resolved.option;
    const spec = mariadbOptionTable().options[name] ?? resolved.spec;
    const setting = resolved.implied ?? value;
    const refused = refusedOptionReason(name, setting) ?? pluginSwitchReason(name, spec);
    if (refused) return refused;
    if (resolved.spec.noEffect) {
        return `${tableRelease()} accepts --${resolved.option} and ignores it ("${resolved.spec.noEffect}", says its help), so it would have no effect: remove it`;
    }
    const invalid = checkOptionValue(resolved.option, name, spec, setting);
    if (invalid) return invalid;
    const meaning = canonicalValue(spec, setting);
    const wrong = setting === undefined && spec.type !== "boolean" ? undefined : refusedValueReason(name, meaning);
    if (wrong) return wrong;
    const rendered = resolved.maximum ? `maximum_${name}` : name;
    return {
        option: setting === undefined ? { name: rendered } : { name: rendered, value: setting },
        setting: rendered,
        meaning,
    };
}
