/**
 * Settings under a feature that a switch turns off have no effect, and are refused naming each
 * written key: the object DSL's switches, and the stack keys that use them.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { boolean, integer, string, type Issue } from "../components/config/schema/fields";
import { object } from "../components/config/schema/structures";
import { parse } from "./support/configCases";
import { stackConfig } from "./support/harness";

/** A small object with a switch governing two fields (one of them an object), and a field it leaves alone. */
const feature = object(
    {
        enabled: boolean({ doc: "On.", default: true }),
        size: integer({ doc: "Size.", default: 1 }),
        target: object(
            { url: string({ doc: "URL.", optional: true }), region: string({ doc: "Region.", optional: true }) },
            { doc: "Target." },
        ),
        label: string({ doc: "Label.", default: "x" }),
    },
    { doc: "A feature.", switches: { enabled: { governs: ["size", "target"], off: "nothing runs" } } },
);

function parseFeature(raw: Record<string, unknown>): Issue[] {
    const issues: Issue[] = [];
    feature.parse(raw, { key: "p:feature", setPath: "feature", secretKey: false, issues });
    return issues;
}

const keysOf = (issues: readonly Issue[]) => issues.map((i) => i.key).sort();

describe("settings without effect", () => {
    describe("an object's switches", () => {
        it("report each value written under a governed field while the switch is false, by its own key", () => {
            const issues = parseFeature({ enabled: false, size: 3, target: { url: "s3://b/p" }, label: "y" });
            assert.deepEqual(keysOf(issues), ["p:feature.size", "p:feature.target.url"]);
            assert.equal(
                issues[0].message,
                "has no effect while feature.enabled is false (nothing runs); remove it, or set enabled to true",
            );
        });

        it("say nothing while the switch is on, when only the switch is written, or what is written sets nothing", () => {
            assert.deepEqual(parseFeature({ enabled: true, size: 3, target: { url: "s3://b/p" } }), []);
            assert.deepEqual(parseFeature({ enabled: false, target: { url: "" } }), []);
            assert.deepEqual(parseFeature({ enabled: false }), []);
            assert.deepEqual(parseFeature({ enabled: false, label: "z" }), []);
        });

        it("report exactly the written governed leaves, whatever is written", () => {
            const written = fc.record(
                {
                    enabled: fc.boolean(),
                    size: fc.integer({ min: 0, max: 9 }),
                    target: fc.record({ url: fc.constant("s3://b/p"), region: fc.constant("eu-west-1") }, { requiredKeys: [] }),
                    label: fc.constant("y"),
                },
                { requiredKeys: [] },
            );
            fc.assert(
                fc.property(written, (raw) => {
                    const expected =
                        raw.enabled === false
                            ? [
                                  ...(raw.size === undefined ? [] : ["p:feature.size"]),
                                  // An empty object sets nothing.
                                  ...Object.keys(raw.target ?? {}).map((k) => `p:feature.target.${k}`),
                              ].sort()
                            : [];
                    assert.deepEqual(keysOf(parseFeature(raw)), expected);
                }),
            );
        });
    });

    describe("stack keys", () => {
        const refused = (changes: Parameters<typeof parse>[0], base = stackConfig("dev")) => {
            const { config, issues } = parse(changes, base);
            assert.equal(config, undefined);
            return issues;
        };
        const only = (issues: readonly Issue[], key: string, text: RegExp) => {
            assert.deepEqual(
                issues.map((i) => i.key),
                [key],
            );
            assert.match(issues[0].message, text);
        };

        it("an off-site URL (or any backup setting) while backups are off", () => {
            only(
                refused({ "matomo:mariadb": { backup: { enabled: false, offsite: { url: "s3://backups/matomo" } } } }),
                "matomo:mariadb.backup.offsite.url",
                /^has no effect while mariadb\.backup\.enabled is false \(no backup runs.*\); remove it, or set enabled to true$/,
            );
            const issues = refused({ "matomo:mariadb": { backup: { enabled: false, keep: 3, cronSchedule: "0 2 * * *" } } });
            assert.deepEqual(keysOf(issues), ["matomo:mariadb.backup.cronSchedule", "matomo:mariadb.backup.keep"]);
        });

        it("a cert-manager issuer or a certificate Secret while TLS is off", () => {
            only(
                refused({ "matomo:ingress": { tls: false } }),
                "matomo:ingress.letsencrypt",
                /while ingress\.tls is false \(the Ingress has no TLS section, so cert-manager issues no certificate/,
            );
            only(
                refused({ "matomo:ingress": { tls: false, letsencrypt: null, certificate: "my-tls" } }),
                "matomo:ingress.certificate",
                /while ingress\.tls is false/,
            );
        });

        it("the Ingress's own settings while the stack creates no Ingress, but not tls, which Matomo's URLs follow", () => {
            only(refused({ "matomo:ingress": { enabled: false } }), "matomo:ingress.letsencrypt", /while ingress\.enabled is false/);
            assert.deepEqual(parse({ "matomo:ingress": { enabled: false, letsencrypt: null, tls: false } }).issues, []);
        });

        it("Cloud SQL backup settings without backups, log retention without binary logs, a pool without Workload Identity, a growth limit without growth", () => {
            const prod = stackConfig("prod");
            const issues = refused(
                { "matomo:cloudsql": { availabilityType: "ZONAL", backups: { enabled: false, binaryLog: false } } },
                prod,
            );
            assert.deepEqual(keysOf(issues), [
                "matomo:cloudsql.backups.location",
                "matomo:cloudsql.backups.retainedBackups",
                "matomo:cloudsql.backups.startTime",
                "matomo:cloudsql.backups.transactionLogRetentionDays",
            ]);
            only(
                refused({ "matomo:cloudsql": { availabilityType: "ZONAL", backups: { binaryLog: false } } }, prod),
                "matomo:cloudsql.backups.transactionLogRetentionDays",
                /while cloudsql\.backups\.binaryLog is false \(there are no binary logs/,
            );
            only(
                refused({ "matomo:cloudsql": { identity: "serviceAccountKey", workloadIdentityPool: "other-project.svc.id.goog" } }, prod),
                "matomo:cloudsql.workloadIdentityPool",
                /^has no effect with identity "serviceAccountKey"/,
            );
            only(
                refused({ "matomo:cloudsql": { diskAutoresize: false } }, prod),
                "matomo:cloudsql.diskAutoresizeLimit",
                /while cloudsql\.diskAutoresize is false \(the disk never grows\)/,
            );
        });
    });
});
