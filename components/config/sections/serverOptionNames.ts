/**
 * Option names as MariaDB's option parser (my_getopt) finds them: `-` and `_` alike and in any
 * case; the prefixes `--loose-` (an unknown option is skipped with a warning),
 * `--skip-`/`--disable-` and `--enable-` (an on/off option off or on) and `--maximum-` (the
 * largest value a session may set). An unknown name stops the server from starting, so it is
 * refused here with the name that was probably meant. So is an abbreviation, which the server
 * reads only as long as no other option starts alike (it says so itself: "Using unique option
 * prefix ... is error-prone and can break in the future").
 */
import { closestMatch } from "../schema/text";
import { mariadbOptionTable, tableRelease, type OptionSpec } from "./mariadbOptionTable";

/** The option a written name sets. */
export interface ResolvedName {
    /** The option's name in the table (lower case, underscores). */
    readonly option: string;
    readonly spec: OptionSpec;
    /** ON or OFF, when a `--skip-`, `--disable-` or `--enable-` prefix sets an on/off option. */
    readonly implied?: "ON" | "OFF";
    /** Whether `--maximum-` sets the session maximum instead of the option itself. */
    readonly maximum?: boolean;
}

const SWITCHES = ["skip", "disable", "enable"] as const;

/** Whether `--skip-<name>` and `--enable-<name>` turn the option off and on. */
function isSwitch(spec: OptionSpec): boolean {
    return spec.type === "boolean" || spec.plugin === true;
}

function unknown(name: string, names: readonly string[], loose: boolean): string {
    const prefix = [...SWITCHES, "maximum"].find((p) => name.startsWith(`${p}_`));
    const rest = prefix ? closestMatch(name.slice(prefix.length + 1), names) : undefined;
    const hint = closestMatch(name, names) ?? (rest ? `${prefix}_${rest}` : undefined);
    const consequence = loose
        ? ", and --loose- only makes the server skip it with a warning, so the setting would have no effect"
        : ", so the server would not start";
    return (
        `${tableRelease()} has no option --${name}${consequence}` +
        (hint ? ` (did you mean --${hint}?)` : "; its options are listed by mariadbd --verbose --help")
    );
}

/**
 * The option `name` (lower case, underscores) sets, or why the server would not take it. `loose`
 * says that `--loose-` came before the name.
 */
export function resolveOptionName(name: string, hasValue: boolean, loose = false): ResolvedName | string {
    const options = mariadbOptionTable().options;
    const names = Object.keys(options);
    if (options[name]) return { option: name, spec: options[name] };
    if (name.startsWith("loose_")) return resolveOptionName(name.slice("loose_".length), hasValue, true);
    for (const prefix of [...SWITCHES, "maximum", "autoset"]) {
        const option = name.slice(prefix.length + 1);
        const spec = name.startsWith(`${prefix}_`) ? options[option] : undefined;
        if (!spec) continue;
        if (prefix === "autoset") return `--autoset-${option} is not supported here; leave it out to keep the server's own setting`;
        if (prefix === "maximum") {
            const numeric = ["integer", "unsigned", "decimal"].includes(spec.type);
            return numeric && spec.session
                ? { option, spec, maximum: true }
                : `--maximum- limits what a session may set a numeric session variable to; --${option} is none, and the server would not start`;
        }
        if (!isSwitch(spec)) {
            return `--${prefix}-${option} is only for on/off options; --${option} takes a value: write --${option}=<value>`;
        }
        if (hasValue) {
            return `--${prefix}-${option} takes no value (MariaDB reads only "=0" there, as the opposite): write --${prefix}-${option} or --${option}=ON|OFF`;
        }
        return { option, spec, implied: prefix === "enable" ? "ON" : "OFF" };
    }
    const ignored = mariadbOptionTable().ignored[name];
    if (ignored)
        return `${tableRelease()} accepts --${name} only to ignore it ("${ignored}", it says), so it would have no effect: remove it`;
    const longer = names.filter((n) => n.startsWith(name));
    if (longer.length === 1) {
        return `--${name} is an abbreviation, which MariaDB reads only while no other option starts alike: write the full name --${longer[0]}`;
    }
    return unknown(name, names, loose);
}
