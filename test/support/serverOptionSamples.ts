/**
 * Valid MariaDB server options drawn from the server's own table, as a user may write them
 * (dashes or underscores, any case, `--loose-`, `--skip-`/`--enable-` for on/off options, sizes
 * with a suffix), for the property tests and for the real server: whatever the program accepts
 * must start it.
 */
import fc from "fast-check";
import { mariadbOptionTable, type OptionSpec } from "../../components/config/sections/mariadbOptionTable";
import { pluginSwitchReason, refusedOptionReason, refusedValueReason } from "../../components/config/sections/serverOptionRules";
import { canonicalValue } from "../../components/config/sections/serverOptionValues";

const SUFFIXES = "KMGTPE";

/** A whole number from `min` to `max`, written plainly or with the largest suffix that divides it. */
function wholeNumber(min: bigint, max: bigint): fc.Arbitrary<string> {
    return fc.bigInt({ min, max }).chain((n) => {
        const forms = [String(n)];
        for (let power = 1; power <= SUFFIXES.length; power++) {
            const unit = 1024n ** BigInt(power);
            if (n !== 0n && n % unit === 0n)
                forms.push(`${n / unit}${SUFFIXES[power - 1]}`, `${n / unit}${SUFFIXES[power - 1].toLowerCase()}`);
        }
        return fc.constantFrom(...forms);
    });
}

/**
 * Values the server takes for an option. `moderate` keeps numbers near their minimum (a real
 * server has to start with them: a maximum buffer would not fit the machine).
 */
export function validValue(spec: OptionSpec, moderate = false): fc.Arbitrary<string> | undefined {
    const values = spec.values ?? [];
    switch (spec.type) {
        case "boolean":
            return fc.constantFrom("ON", "OFF", "on", "off", "TRUE", "false", "1", "0");
        case "integer":
        case "unsigned": {
            if (spec.min === undefined || spec.max === undefined) return fc.nat(1000).map(String);
            const [min, max] = [BigInt(spec.min), BigInt(spec.max)];
            return wholeNumber(min, moderate && max - min > 1n << 20n ? min * 4n + (1n << 20n) : max);
        }
        case "decimal": {
            const [min, max] = [Number(spec.min ?? 0), Number(spec.max ?? 1000)];
            return fc
                .integer({ min: Math.ceil(min * 100), max: Math.floor(Math.min(max, moderate ? min + 100 : max) * 100) })
                .map((n) => String(n / 100));
        }
        case "enum":
            return fc.oneof(
                fc.constantFrom(...values),
                fc.constantFrom(...values).map((v) => v.toLowerCase()),
                fc.nat(values.length - 1).map(String),
            );
        case "set":
            return fc.subarray([...values]).map((items) => items.join(","));
        case "flagset":
            return fc.oneof(
                fc.constant("default"),
                fc
                    .uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 4 })
                    .chain((flags) => fc.tuple(...flags.map((flag) => fc.constantFrom("on", "off", "default").map((s) => `${flag}=${s}`))))
                    .map((items) => items.join(",")),
            );
        case "charset":
            return fc.constantFrom(...Object.keys(mariadbOptionTable().characterSets));
        case "locale":
            return fc.constantFrom(...mariadbOptionTable().locales);
        default:
            return undefined;
    }
}

/** Options the rules refuse by name alone (with any value), or that the server ignores. */
function refusedByName(name: string, spec: OptionSpec): boolean {
    const option = spec.aliasOf ?? name;
    return (
        refusedOptionReason(option, undefined) !== undefined ||
        pluginSwitchReason(option, spec) !== undefined ||
        spec.noEffect !== undefined
    );
}

/** An entry of `mariadb.commands` with the option it sets and the value it sets it to. */
export interface SampleCommand {
    readonly text: string;
    /** The option set (aliases resolved), its spec and the value (ON/OFF for a switch, undefined for a bare flag). */
    readonly option: string;
    readonly spec: OptionSpec;
    readonly value?: string;
}

/** Whether the rules refuse this value of an option that may be set (autocommit=OFF, for one). */
export function valueRefused(sample: SampleCommand): boolean {
    return refusedValueReason(sample.option, canonicalValue(sample.spec, sample.value)) !== undefined;
}

/** The name as a user may write it: dashes or underscores, any case, sometimes with `--loose-`. */
function writtenName(name: string): fc.Arbitrary<string> {
    return fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()).map(([dashes, upper, loose]) => {
        const spelt = dashes ? name.replace(/_/g, "-") : name;
        return `${loose ? "loose-" : ""}${upper ? spelt.toUpperCase() : spelt}`;
    });
}

/**
 * An entry of `mariadb.commands` with a valid value, for any option that may be set: `--name=value`,
 * or `--skip-name`, `--enable-name` or `--name` alone for an on/off option. `exclude` leaves options out.
 */
export function validCommand(moderate = false, exclude: readonly string[] = []): fc.Arbitrary<SampleCommand> {
    const table = mariadbOptionTable().options;
    const options = Object.entries(table).flatMap(([name, spec]) => {
        const option = spec.aliasOf ?? name;
        const values = validValue(table[option] ?? spec, moderate);
        return values && !refusedByName(name, spec) && !exclude.includes(option)
            ? [{ name, option, spec: table[option] ?? spec, values }]
            : [];
    });
    return fc.constantFrom(...options).chain(({ name, option, spec, values }) => {
        const assigned = fc
            .tuple(writtenName(name), values)
            .map(([written, value]) => ({ text: `--${written}=${value}`, option, spec, value }));
        if (spec.type !== "boolean") return assigned;
        const switched = fc.constantFrom("skip", "disable", "enable").map((prefix) => ({
            text: `--${prefix}-${name.replace(/_/g, "-")}`,
            option,
            spec,
            value: prefix === "enable" ? "ON" : "OFF",
        }));
        const bare = fc.constant({ text: `--${name}`, option, spec, value: undefined });
        return spec.arg === "required" ? fc.oneof(assigned, switched) : fc.oneof(assigned, switched, bare);
    });
}
