/**
 * Reading a stack file as the Pulumi CLI reads it: YAML merge keys resolved as gopkg.in/yaml.v3
 * resolves them (the CLI's YAML reader), so that `render` accepts what `pulumi up` accepts.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseConfig } from "../components/config";
import { parseStackFile } from "../scripts/lib/stackFile";
import { sourceOf } from "./support/harness";

/** The structured value of a key, as the program receives it. */
function valueOf(text: string, key: string): unknown {
    return JSON.parse(parseStackFile(text).values[key]);
}

describe("stack files", () => {
    describe("YAML merge keys", () => {
        it("merge an anchored mapping into another, whose own keys win wherever they stand", () => {
            const text = [
                "config:",
                "  matomo:defaults: &base",
                "    a: 1",
                "    b: 2",
                "  matomo:before:",
                "    b: 20",
                "    <<: *base",
                "  matomo:after:",
                "    <<: *base",
                "    b: 20",
            ].join("\n");
            assert.deepEqual(valueOf(text, "matomo:before"), { a: 1, b: 20 });
            assert.deepEqual(valueOf(text, "matomo:after"), { a: 1, b: 20 });
        });

        it("merge a list of mappings in order: an earlier one wins over a later one", () => {
            const text = [
                "config:",
                "  matomo:one: &one { a: 1 }",
                "  matomo:two: &two { a: 2, b: 2 }",
                "  matomo:both:",
                "    <<: [*one, *two, { c: 3, a: 4 }]",
            ].join("\n");
            assert.deepEqual(valueOf(text, "matomo:both"), { a: 1, b: 2, c: 3 });
        });

        it("merge at every level: inside a key, inside a list entry, and an anchor that merges another", () => {
            const text = [
                "config:",
                "  matomo:ldap:",
                "    servers:",
                "      - &corp",
                "        name: corp",
                "        baseDn: ou=people,dc=example,dc=org",
                "        tls: &tls { startTls: false }",
                "      - <<: *corp",
                "        name: backup",
                "        tls:",
                "          <<: *tls",
                "          port: 389",
                "  matomo:copy:",
                "    inner:",
                "      <<: { deep: { <<: *tls, extra: 1 } }",
            ].join("\n");
            const servers = (valueOf(text, "matomo:ldap") as { servers: unknown[] }).servers;
            assert.deepEqual(servers[1], { name: "backup", baseDn: "ou=people,dc=example,dc=org", tls: { startTls: false, port: 389 } });
            assert.deepEqual(valueOf(text, "matomo:copy"), { inner: { deep: { startTls: false, extra: 1 } } });
        });

        it("are not the key '<<' once quoted, as yaml.v3 reads a quoted '<<' as text", () => {
            assert.deepEqual(valueOf("config:\n  matomo:x:\n    '<<': { a: 1 }\n", "matomo:x"), { "<<": { a: 1 } });
        });

        it("let a stack share settings between keys, and the program accepts it as pulumi up would", () => {
            const text = [
                "config:",
                "  matomo:matomo:",
                "    hostname: analytics.example.com",
                "    resources: &small",
                "      requests: { memory: 2Gi, cpu: 100m }",
                "      limits: { memory: 3Gi }",
                "  matomo:matomocronScheduledTasks:",
                "    resources:",
                "      <<: *small",
                "      limits: { memory: 2Gi }",
            ].join("\n");
            const { config, issues } = parseConfig(sourceOf(parseStackFile(text)));
            assert.deepEqual(issues, []);
            assert.equal(config?.scheduledTasks.resources.limits.memory, "2Gi");
            assert.equal(config?.scheduledTasks.resources.requests.memory, "2Gi");
        });

        it("refuse a merge of something other than a mapping, naming the file", () => {
            assert.throws(() => parseStackFile("config:\n  matomo:x:\n    <<: 5\n", "Pulumi.x.yaml"), {
                message: /^Pulumi\.x\.yaml: not valid YAML: .*Merge sources must be maps/,
            });
        });

        it("resolve as yaml.v3 does for any mappings merged: own keys first, then each source in order", () => {
            const key = fc.constantFrom("a", "b", "c", "d", "e");
            const mapping = fc.dictionary(key, fc.integer({ min: 0, max: 99 }), { maxKeys: 5 });
            fc.assert(
                fc.property(fc.array(mapping, { minLength: 1, maxLength: 4 }), mapping, (sources, own) => {
                    const anchors = sources.map((s, i) => `  matomo:s${i}: &s${i} ${JSON.stringify(s)}`);
                    const merged = `    <<: [${sources.map((_, i) => `*s${i}`).join(", ")}]`;
                    const ownLines = Object.entries(own).map(([k, v]) => `    ${k}: ${v}`);
                    const text = ["config:", ...anchors, "  matomo:merged:", merged, ...ownLines].join("\n");
                    const expected: Record<string, number> = {};
                    for (const source of [own, ...sources]) {
                        for (const [k, v] of Object.entries(source)) if (!(k in expected)) expected[k] = v;
                    }
                    assert.deepEqual(valueOf(text, "matomo:merged"), expected);
                }),
            );
        });
    });
});
