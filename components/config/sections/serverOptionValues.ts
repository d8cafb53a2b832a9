/**
 * The values MariaDB's option parser (my_getopt) accepts for each type of option, and each value's
 * meaning in one canonical spelling (so that two spellings of one setting compare equal). A value
 * the server would refuse stops it from starting; one it reads differently from what was meant
 * (`yes` as OFF, `2G` lowered to the maximum) takes effect with only a warning in its log. Both
 * are refused here, with the form that works.
 */
import { closestMatch } from "../schema/text";
import { mariadbOptionTable, type OptionSpec } from "./mariadbOptionTable";

const TRUE = ["ON", "TRUE", "1"];
const FALSE = ["OFF", "FALSE", "0"];
const SUFFIXES = "KMGTPE";
/** Digits, then one suffix letter (MariaDB reads only the letter; a `B`, `i` or `iB` after it is ignored). */
const NUMBER = /^([+-]?\d+)(?:([kmgtpe])(?:i?b|i)?)?$/i;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** The value a whole number with a suffix stands for, or undefined when MariaDB would not read it. */
export function numberValue(text: string): bigint | undefined {
    const match = NUMBER.exec(text);
    if (!match) return undefined;
    const power = match[2] ? BigInt(SUFFIXES.indexOf(match[2].toUpperCase()) + 1) : 0n;
    return BigInt(match[1]) * 1024n ** power;
}

/** A byte count in the largest suffix that divides it (`1073741824` as `1G`). */
function withSuffix(value: bigint): string {
    for (let power = SUFFIXES.length; power > 0; power--) {
        const unit = 1024n ** BigInt(power);
        if (value >= unit && value % unit === 0n) return `${value / unit}${SUFFIXES[power - 1]}`;
    }
    return String(value);
}

/** The form that was probably meant: `256 MB` as `256M`, `1.5G` as `1536M`. */
function numberHint(text: string): string | undefined {
    const spaced = /^(\d+)\s+([kmgtpe])(?:i?b|i)?$/i.exec(text);
    if (spaced) return `${spaced[1]}${spaced[2].toUpperCase()}`;
    const fraction = /^(\d*\.\d+)\s*([kmgtpe])(?:i?b|i)?$/i.exec(text);
    if (!fraction) return undefined;
    const power = SUFFIXES.indexOf(fraction[2].toUpperCase());
    const smaller = Number(fraction[1]) * 1024;
    return power > 0 && Number.isInteger(smaller) ? `${smaller}${SUFFIXES[power - 1]}` : undefined;
}

function checkNumber(option: string, spec: OptionSpec, value: string): string | undefined {
    const number = numberValue(value);
    if (number === undefined || (spec.type === "unsigned" && number < 0n)) {
        const hint = numberHint(value);
        return (
            `--${option} takes a whole number${spec.type === "unsigned" ? " (not negative)" : ""}, optionally with one of the ` +
            "suffixes K, M, G, T, P or E written right after it (e.g. 256M); MariaDB reads no space, decimal point or other unit" +
            (hint ? `: write --${option}=${hint}` : "")
        );
    }
    const [min, max] = [spec.min, spec.max].map((bound) => (bound === undefined ? undefined : BigInt(bound)));
    if (min !== undefined && number < min) return outOfRange(option, "below its minimum", min);
    if (max !== undefined && number > max) return outOfRange(option, "above its maximum", max);
    return undefined;
}

function outOfRange(option: string, where: string, bound: bigint): string {
    const shown = withSuffix(bound) === String(bound) ? String(bound) : `${bound} (${withSuffix(bound)})`;
    return `--${option} is ${where} ${shown}; MariaDB would use ${shown} instead, with only a warning in its log: set a value within its range`;
}

function checkDecimal(option: string, spec: OptionSpec, value: string): string | undefined {
    if (!DECIMAL.test(value)) return `--${option} takes a decimal number such as 0.5 or 10 (without a unit)`;
    const number = Number(value);
    if (spec.min !== undefined && number < Number(spec.min)) return outOfRange(option, "below its minimum", BigInt(spec.min));
    if (spec.max !== undefined && number > Number(spec.max)) return outOfRange(option, "above its maximum", BigInt(spec.max));
    return undefined;
}

function find(values: readonly string[], value: string): string | undefined {
    return values.find((v) => v.toLowerCase() === value.toLowerCase());
}

function checkEnum(option: string, values: readonly string[], value: string): string | undefined {
    if (find(values, value) || (/^\d+$/.test(value) && Number(value) < values.length)) return undefined;
    const prefixed = values.filter((v) => v.toLowerCase().startsWith(value.toLowerCase()));
    if (value !== "" && prefixed.length === 1) {
        return `--${option} names its value in full (MariaDB reads an abbreviation only while no other value starts alike): write --${option}=${prefixed[0]}`;
    }
    const hint = closestMatch(value, values);
    return `--${option} takes one of ${values.join(", ")}` + (hint ? ` (did you mean ${hint}?)` : "");
}

function checkSet(option: string, values: readonly string[], value: string): string | undefined {
    if (value === "" || /^\d+$/.test(value) || value.toUpperCase() === "ALL") return undefined;
    const unknown = value.split(",").filter((item) => !find(values, item));
    if (unknown.length === 0) return undefined;
    const hint = closestMatch(unknown[0].trim(), values);
    return (
        `${JSON.stringify(unknown[0])} is not a value of --${option}, which takes a comma-separated list (without spaces) of ` +
        `${values.join(", ")}` +
        (hint ? ` (did you mean ${hint}?)` : "")
    );
}

function checkFlagset(option: string, flags: readonly string[], value: string): string | undefined {
    if (value.toLowerCase() === "default") return undefined;
    for (const item of value.split(",")) {
        const [flag, setting, extra] = item.split("=");
        if (find(flags, flag) && extra === undefined && setting !== undefined && find(["on", "off", "default"], setting)) continue;
        const hint = closestMatch(flag.trim(), flags);
        return (
            `--${option} takes default or a comma-separated list (without spaces) of flag=on, flag=off or flag=default; ` +
            `${JSON.stringify(item)} is not one` +
            (find(flags, flag) ? "" : hint ? ` (did you mean ${hint}?)` : ` (the flags are ${flags.join(", ")})`)
        );
    }
    return undefined;
}

function checkName(option: string, kind: string, known: readonly string[], value: string): string | undefined {
    if (find(known, value)) return undefined;
    const hint = closestMatch(value, known);
    return `MariaDB has no ${kind} ${JSON.stringify(value)}` + (hint ? ` (did you mean ${hint}?)` : ` for --${option}`);
}

/** Character set names, with `utf8` read as MariaDB 10.11 reads it (utf8mb3). */
function characterSets(): string[] {
    return [...Object.keys(mariadbOptionTable().characterSets), "utf8"];
}

/** Collations, with the `utf8_` names MariaDB 10.11 reads as utf8mb3's. */
function collations(): string[] {
    const all = Object.values(mariadbOptionTable().characterSets).flat();
    return [...all, ...all.filter((c) => c.startsWith("utf8mb3_")).map((c) => c.replace(/^utf8mb3_/, "utf8_"))];
}

/** Options that name a storage engine. */
const ENGINE_OPTIONS = ["default_storage_engine", "default_tmp_storage_engine", "enforce_storage_engine"];

/**
 * Why `value` (undefined when the option is given without one) is no value of the option `name`
 * (as the table names it; `option` is the name as written, for messages), or undefined when the
 * server reads it as written.
 */
export function checkOptionValue(option: string, name: string, spec: OptionSpec, value: string | undefined): string | undefined {
    if (value === undefined) {
        if (spec.arg !== "required") return undefined;
        return spec.type === "boolean"
            ? `--${option} needs a value in a config file (the server says "requires an argument"): write --${option}=ON`
            : `--${option} needs a value: write it as --${option}=<value>`;
    }
    if (spec.type === "flag") return `--${option} takes no value: write it as --${option}`;
    if (value === "" && !["string", "set"].includes(spec.type)) return `--${option} needs a value after "="`;
    switch (spec.type) {
        case "boolean":
            return find([...TRUE, ...FALSE], value)
                ? undefined
                : `--${option} takes ON or OFF (or TRUE/FALSE, 1/0); MariaDB would read ${JSON.stringify(value)} as OFF`;
        case "integer":
        case "unsigned":
            return checkNumber(option, spec, value);
        case "decimal":
            return checkDecimal(option, spec, value);
        case "enum":
            return checkEnum(option, spec.values ?? [], value);
        case "set":
            return checkSet(option, spec.values ?? [], value);
        case "flagset":
            return checkFlagset(option, spec.values ?? [], value);
        case "charset":
            return checkName(option, "character set", characterSets(), value);
        case "collation":
            return checkName(option, "collation", collations(), value);
        case "locale":
            return checkName(option, "locale", mariadbOptionTable().locales, value);
        default:
            return ENGINE_OPTIONS.includes(name) ? checkName(option, "storage engine", mariadbOptionTable().engines, value) : undefined;
    }
}

/** What a checked value means, in one spelling: two settings of an option conflict when these differ. */
export function canonicalValue(spec: OptionSpec, value: string | undefined): string {
    if (value === undefined) return spec.type === "boolean" ? "ON" : spec.type === "enum" && spec.plugin ? "ON" : "";
    switch (spec.type) {
        case "boolean":
            return find(TRUE, value) ? "ON" : "OFF";
        case "integer":
        case "unsigned":
            return String(numberValue(value));
        case "decimal":
            return String(Number(value));
        case "enum": {
            const values = spec.values ?? [];
            return /^\d+$/.test(value) ? values[Number(value)] : (find(values, value) ?? value);
        }
        case "set":
        case "flagset":
            return value
                .split(",")
                .map((item) => item.toLowerCase())
                .sort()
                .join(",");
        case "charset":
        case "collation":
        case "locale":
            return value.toLowerCase();
        default:
            return value;
    }
}
