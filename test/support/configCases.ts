/**
 * Config parsing for tests: the dev stack with GeoIP and mail on (or another base) with changes,
 * parsed without the Pulumi runtime, and the rejection cases' shared assertion.
 */
import assert from "node:assert/strict";
import { parseConfig, type EeaConfig, type GoogleConfig, type MatomoConfig } from "../../components/config";
import type { StackConfig } from "../../scripts/lib/stackFile";
import { DEV_EXTRAS, sourceOf, stackConfig, withChanges } from "./harness";

export type Changes = Parameters<typeof withChanges>[1];

/** The base the cases change: the dev stack with GeoIP and the mail relay on ({@link DEV_EXTRAS}). */
export const devExtras = stackConfig(DEV_EXTRAS);
/** The least a stack needs: the hostname. */
export const minimal: StackConfig = { values: { "matomo:matomo": JSON.stringify({ hostname: "analytics.example.com" }) }, secretKeys: [] };

export function parse(changes: Changes, base: StackConfig = devExtras, secretKeys: string[] = []) {
    return parseConfig(sourceOf(withChanges(base, changes, secretKeys)));
}

/** The config of a base with changes, asserting there is no issue. */
export function valid(changes: Changes, base: StackConfig = devExtras, secretKeys: string[] = []): MatomoConfig {
    const { config, issues } = parse(changes, base, secretKeys);
    assert.deepEqual(issues, []);
    return config!;
}

/** The config of an EEA stack, asserting that it is one. */
export function eea(config: MatomoConfig): EeaConfig {
    assert.equal(config.topology, "eea");
    return config as EeaConfig;
}

/** The config of a Google stack, asserting that it is one. */
export function google(config: MatomoConfig): GoogleConfig {
    assert.equal(config.topology, "google");
    return config as GoogleConfig;
}

/** Asserts that the changes are rejected with an issue for `key` whose message mentions `text`. */
export function assertRejected(changes: Changes, key: string, text: string, secretKeys: string[] = []): void {
    const { config, issues } = parse(changes, devExtras, secretKeys);
    assert.equal(config, undefined);
    const issue = issues.find((i) => i.key === key);
    assert.ok(issue, `no issue for ${key}; got ${JSON.stringify(issues)}`);
    assert.ok(issue.message.includes(text), `"${issue.message}" does not mention ${text}`);
}
