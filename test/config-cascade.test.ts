/**
 * One mistake, one message: a value refused in a stack that is otherwise valid is the only
 * problem reported, whatever the other rules find while they assume it corrected (index.ts,
 * furtherIssues), and no value makes the configuration throw instead of report.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseConfig, type Issue } from "../components/config";
import { schema } from "../components/config/keys";
import { parseKeys } from "../components/config/schema/parse";
import type { StackConfig } from "../scripts/lib/stackFile";
import { parse } from "./support/configCases";
import { DEV_EXTRAS, sourceOf, stackConfig } from "./support/harness";
import { propertyRuns } from "./support/unitMode";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const STACKS = [DEV_EXTRAS, "prod", "test/fixtures/Pulumi.everything-on.yaml", "test/fixtures/Pulumi.everything-on-google.yaml"];

/** Values that are wrong for most keys, each in its own way: type, syntax, range, emptiness. */
const WRONG: Json[] = [
    "not valid!",
    -1,
    3.5,
    true,
    {},
    [],
    "x".repeat(300),
    "",
    "0 0 31 2 *",
    "192.0.2.1",
    "2001:db8::1",
    "a b",
    99999,
    ["x"],
];

/** The paths of the leaves of a value (an empty object or list is a leaf). */
function leaves(value: Json, path: Path = []): Path[] {
    if (Array.isArray(value)) return value.length === 0 ? [path] : value.flatMap((v, i) => leaves(v, [...path, i]));
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value);
        return entries.length === 0 ? [path] : entries.flatMap(([k, v]) => leaves(v, [...path, k]));
    }
    return [path];
}

function replaced(value: Json, path: Path, by: Json): Json {
    if (path.length === 0) return by;
    const [step, ...rest] = path;
    if (Array.isArray(value)) return value.map((v, i) => (i === step ? replaced(v, rest, by) : v));
    const object = value as { [key: string]: Json };
    return { ...object, [step]: replaced(object[step], rest, by) };
}

/** Every leaf of every `matomo:` key of the tested stacks, as (stack, top-level key, path). */
const LEAVES = STACKS.flatMap((stack) =>
    Object.entries(stackConfig(stack).values)
        .filter(([key]) => key.startsWith("matomo:"))
        .flatMap(([key, text]) => {
            let json: Json;
            try {
                json = JSON.parse(text) as Json;
            } catch {
                json = text;
            }
            return leaves(json).map((path) => ({ stack, key, json, path }));
        }),
);

const keyOf = (top: string, path: Path) => top + path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");
const related = (a: string, b: string) => [a, b].some((x) => [a, b].some((y) => x === y || x.startsWith(`${y}.`) || x.startsWith(`${y}[`)));

describe("one mistake, one message", () => {
    it("a value refused in a valid stack is the only problem reported, and the configuration never throws", () => {
        fc.assert(
            fc.property(fc.constantFrom(...LEAVES), fc.constantFrom(...WRONG), ({ stack, key: top, json, path }, wrong) => {
                const base = stackConfig(stack);
                const value = replaced(json, path, wrong);
                const config: StackConfig = {
                    values: { ...base.values, [top]: typeof value === "string" ? value : JSON.stringify(value) },
                    secretKeys: base.secretKeys,
                };
                const key = keyOf(top, path);
                const refused: Issue[] = [];
                parseKeys(schema, "matomo", sourceOf(config), refused);
                if (!refused.some((i) => related(i.key, key))) return; // the value is fine for this key
                const { issues } = parseConfig(sourceOf(config));
                const others = issues.filter((i) => !related(i.key, key));
                assert.deepEqual(others, [], `${stack}: ${key} = ${JSON.stringify(wrong)}`);
            }),
            { numRuns: propertyRuns(300) },
        );
    });

    it("a feature whose switch is invalid is not reported as off elsewhere (the SMTP server's blocks)", () => {
        const { issues } = parse({
            "matomo:postfix": { relay: "smtp.example.com:587" },
            "matomo:networkPolicy": { egressTo: { smtp: ["192.0.2.0/24"] } },
        });
        assert.deepEqual(
            issues.map((i) => i.key),
            ["matomo:postfix.relay"],
        );
    });

    it("a destination of a feature that is off names the key that turns it on", () => {
        const { issues } = parse({ "matomo:postfix": null, "matomo:networkPolicy": { egressTo: { smtp: ["192.0.2.0/24"] } } });
        assert.deepEqual(issues, [
            {
                key: "matomo:networkPolicy.egressTo.smtp",
                message: "has no effect: postfix.relay is not set, so Matomo sends no mail; remove it",
            },
        ]);
    });

    it("a section with a problem still needs its connections (Cloud SQL's API)", () => {
        const { issues } = parse({ "matomo:cloudsql": { diskAutoresizeLimit: 50 } }, stackConfig("prod"));
        assert.deepEqual(
            issues.map((i) => i.key),
            ["matomo:cloudsql.diskAutoresizeLimit"],
        );
    });

    it("a part of a feature refused in the same round still needs its connections (an LDAP server without its password)", () => {
        const everything = stackConfig("test/fixtures/Pulumi.everything-on.yaml");
        const server = {
            name: "corp",
            hostname: "ldaps://ldap.example.org",
            baseDn: "dc=example,dc=org",
            adminUser: "cn=matomo,dc=example,dc=org",
        };
        const { issues } = parse(
            { "matomo:ldap": { servers: [server] }, "matomo:networkPolicy": { egressTo: { ldap: null } } },
            everything,
        );
        assert.deepEqual(
            issues.map((i) => i.key),
            ["matomo:ldap.servers[0].adminPassword", "matomo:networkPolicy.egressTo.ldap"],
        );
        assert.match(issues[1].message, /^is required: the pods connect to ldap\.example\.org,/);
    });

    it("a seed command that cannot be read is the one problem, not the log hosts' blocks as well", () => {
        const everything = stackConfig("test/fixtures/Pulumi.everything-on.yaml");
        const command = "rsync -e 'ssh -p 2222' -avz --foo logs@logs.example.org:/var/log/apache2 /analytics/logs/1";
        const { issues } = parse({ "matomo:rsyncAnalytics": { sources: null, rsyncCommands: command } }, everything);
        assert.deepEqual(
            issues.map((i) => i.key),
            ["matomo:rsyncAnalytics.rsyncCommands"],
        );
    });

    it("a value of the wrong type is reported, never thrown", () => {
        for (const hostname of [true, -1, ["a.example.com"]]) {
            const { issues } = parse({ "matomo:matomo": { hostname } });
            assert.deepEqual(
                issues.map((i) => i.key),
                ["matomo:matomo.hostname"],
                JSON.stringify(hostname),
            );
        }
    });
});
