/**
 * Converts a values.yaml of the seed Helm chart into this program's stack configuration, and says
 * what it changed and why (`npm run migrate`). Pure: values in, config, secrets and notes out.
 *
 * The rules come from the program itself: a first pass reads every key against the schema
 * (migrateSchema.ts), then the program's own validation (`parseConfig`) runs on the result and each
 * issue a fixer knows is fixed as its message says (migrateFixes.ts), until the validation passes
 * or nothing more can be fixed. What is left is returned as issues, for the user: the converter
 * never hands out a stack file the program refuses.
 */
import { CONFIG_NAMESPACE, parseConfig, type Issue } from "../../components/config";
import { configSourceOf, type StackConfig } from "./stackFile";
import { eeaDefaultNotes } from "./migrateChartDefaults";
import { fixIssue } from "./migrateFixes";
import { copy, isObject, setAt, type Disabled, type MigrationState, type Note, type SecretSetting } from "./migrateModel";
import { convertValues } from "./migrateSchema";

export type { Disabled, Note, Path, SecretSetting } from "./migrateModel";
export { pathText } from "./migrateModel";

export interface Migration {
    /** Section name to value: the stack file's `matomo:<section>` entries, without secrets. */
    readonly config: Readonly<Record<string, unknown>>;
    /** The values file's credentials, for `pulumi config set --secret`. */
    readonly secrets: readonly SecretSetting[];
    readonly notes: readonly Note[];
    /** What was turned off (commented out in the stack file). */
    readonly disabled: readonly Disabled[];
    /** What the program still refuses; the stack file is only written when there is none. */
    readonly issues: readonly Issue[];
    /** Values kept as the seed chart's EEA-specific defaults (migrateChartDefaults.ts), for the user to decide. */
    readonly eeaDefaults: readonly Note[];
}

/** Rounds of fixing: each round fixes what the last validation found; the rules that span keys may need a few. */
const ROUNDS = 10;

/** The config as the Pulumi engine hands it over once the secrets are set: each secret's key marked secret. */
export function stackConfigOf(config: Readonly<Record<string, unknown>>, secrets: readonly SecretSetting[]): StackConfig {
    const full = copy(config) as Record<string, unknown>;
    for (const s of secrets) setAt(full, s.path, s.value);
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries(full)) {
        values[`${CONFIG_NAMESPACE}:${name}`] =
            typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
    }
    const secretKeys = [...new Set(secrets.map((s) => `${CONFIG_NAMESPACE}:${String(s.path[0])}`))];
    return { values, secretKeys, secretValues: secrets.map((s) => s.value) };
}

/**
 * The program's verdict on the config with its secrets. The values file's own secret values are
 * checked (marked secret, as `pulumi config set --secret` leaves them), so that a password the
 * program would refuse is reported now rather than at `pulumi up`.
 */
export function validate(state: Pick<MigrationState, "config" | "secrets">, stack: string): Issue[] {
    return parseConfig(configSourceOf(stackConfigOf(state.config, state.secrets), stack)).issues;
}

/** Replaces each secret value in a text by `[secret]`. */
export function maskSecrets(text: string, secrets: readonly SecretSetting[]): string {
    return secrets.reduce((t, s) => (s.value.length > 0 ? t.split(s.value).join("[secret]") : t), text);
}

/** Converts a values file (its parsed top-level mapping). `stack` names the stack in the program's messages. */
export function migrate(values: Readonly<Record<string, unknown>>, stack = "migrated"): Migration {
    const state = convertValues(copy(values) as Record<string, unknown>);
    let issues = validate(state, stack);
    for (let round = 0; round < ROUNDS && issues.length > 0; round++) {
        // Every issue of this round gets its fix (not only the first): they are independent problems.
        const fixed = issues.map((issue) => fixIssue(state, issue)).some(Boolean);
        if (!fixed) break;
        issues = validate(state, stack);
    }
    const all = [...state.secrets, ...state.disabled.flatMap((d) => d.secrets)];
    // In the values file's order of sections (the fixes came after the first pass).
    const order = Object.keys(values);
    const notes = [...state.notes].sort((a, b) => order.indexOf(String(a.path[0])) - order.indexOf(String(b.path[0])));
    return {
        config: state.config,
        secrets: state.secrets,
        notes,
        disabled: state.disabled,
        // "none is set" is about a stack file without matomo: keys; what is missing then is reported by key too.
        issues: issues.filter((i) => i.key !== `${CONFIG_NAMESPACE}:*`).map((i) => ({ key: i.key, message: maskSecrets(i.message, all) })),
        eeaDefaults: eeaDefaultNotes(state),
    };
}

/** Whether a parsed YAML document looks like a Pulumi stack file rather than a values file. */
export function isStackFile(values: unknown): boolean {
    return isObject(values) && isObject(values.config) && Object.keys(values.config).some((k) => k.includes(":"));
}
