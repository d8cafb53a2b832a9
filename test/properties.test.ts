/**
 * Property tests for the pure helpers: sizes, typo suggestions, server options, the script template
 * step, GCP values, secret redaction, and the INI writer read back by PHP itself.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { closestMatch, distance } from "../components/config/schema/text";
import { checkIniText } from "../components/config/schema/validators";
import { parseTier } from "../components/config/sections/cloudsql/gcpValues";
import { formatServerOption, mergeServerOptions, parseServerOption, type ServerOption } from "../components/config/sections/serverOptions";
import { gcpLabelValue } from "../components/database/cloudSqlInstance";
import { formatBytes, normalizePhpSize, parseMariadbSize, parseQuantity, phpSizeBytes } from "../components/k8s/units";
import { renderIni } from "../components/matomo/ini";
import { fillTemplate } from "../components/matomo/scripts/template";
import { isSecretWrapper, redactSecrets, SECRET_SIG, SECRET_SIG_KEY } from "../scripts/lib/mockEngine";
import { validCommand } from "./support/serverOptionSamples";
import { requireBinaries } from "./support/system";
import { propertyRuns } from "./support/unitMode";

const BINARY = [
    ["Ki", 1],
    ["Mi", 2],
    ["Gi", 3],
    ["Ti", 4],
] as const;

describe("properties", () => {
    describe("sizes", () => {
        it("a binary quantity parses to its bytes, and formats back to a quantity of the same bytes", () => {
            fc.assert(
                fc.property(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom(...BINARY), (n, [suffix, power]) => {
                    const bytes = parseQuantity(`${n}${suffix}`);
                    assert.equal(bytes, n * 1024 ** power);
                    assert.equal(parseQuantity(formatBytes(bytes)), bytes);
                }),
            );
        });

        it("a PHP size normalises once and for all, to the bytes PHP reads (a Kubernetes Mi means M)", () => {
            fc.assert(
                fc.property(
                    fc.integer({ min: 1, max: 1_000_000 }),
                    fc.constantFrom("", "K", "M", "G", "k", "m", "g", "Ki", "Mi", "Gi"),
                    (n, suffix) => {
                        const canonical = normalizePhpSize(`${n}${suffix}`)!;
                        assert.equal(normalizePhpSize(canonical), canonical);
                        const power = suffix === "" ? 0 : "KMG".indexOf(suffix.charAt(0).toUpperCase()) + 1;
                        assert.equal(phpSizeBytes(canonical), n * 1024 ** power);
                    },
                ),
            );
        });

        it("a MariaDB size is binary whatever the case of its suffix", () => {
            fc.assert(
                fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 4 }), fc.boolean(), (n, power, lower) => {
                    const suffix = power === 0 ? "" : "KMGT"[power - 1];
                    assert.equal(parseMariadbSize(`${n}${lower ? suffix.toLowerCase() : suffix}`), n * 1024 ** power);
                }),
            );
        });
    });

    describe("typo suggestions", () => {
        const word = fc.stringMatching(/^[a-z][a-zA-Z]{3,15}$/);

        it("suggest a key itself when it is spelt right, and never anything but a known key", () => {
            fc.assert(
                fc.property(
                    fc.uniqueArray(word, { minLength: 1, maxLength: 8, selector: (w) => w.toLowerCase() }),
                    fc.string(),
                    (keys, typed) => {
                        for (const key of keys) assert.equal(closestMatch(key, keys), key);
                        const hint = closestMatch(typed, keys);
                        assert.ok(hint === undefined || keys.includes(hint));
                    },
                ),
            );
        });

        it("measure the distance as the whole table of edits does, and suggest the first nearest key within reach", () => {
            /** The textbook optimal-string-alignment distance, the whole table kept. */
            const tableDistance = (a: string, b: string) => {
                const [s, t] = [a.toLowerCase(), b.toLowerCase()];
                const d = Array.from({ length: s.length + 1 }, (_, i) =>
                    Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
                );
                for (let i = 1; i <= s.length; i++) {
                    for (let j = 1; j <= t.length; j++) {
                        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
                        if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
                            d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                    }
                }
                return d[s.length][t.length];
            };
            const text = fc.stringMatching(/^[a-cA-C_]{0,16}$/);
            /** `input` with up to four letters inserted or deleted: keys near it, at every distance. */
            const edited = (input: string) =>
                fc
                    .array(fc.tuple(fc.nat(), fc.constantFrom("a", "B", "_", "")), { maxLength: 4 })
                    .map((edits) =>
                        edits.reduce(
                            (w, [at, letter]) =>
                                w.slice(0, at % (w.length + 1)) + letter + w.slice((at % (w.length + 1)) + (letter ? 0 : 1)),
                            input,
                        ),
                    );
            const inputAndKeys = text.chain((input) =>
                fc.tuple(fc.constant(input), fc.array(fc.oneof(text, edited(input)), { maxLength: 12 })),
            );
            fc.assert(
                fc.property(inputAndKeys, ([input, keys]) => {
                    for (const key of keys) assert.equal(distance(input, key), tableDistance(input, key), `${input} ${key}`);
                    const nearest = Math.min(...keys.map((k) => tableDistance(input, k)));
                    const first = keys.find((k) => tableDistance(input, k) === nearest);
                    const reach = Math.max(1, Math.min(3, Math.floor((first?.length ?? 0) / 4)));
                    assert.equal(closestMatch(input, keys), nearest <= reach ? first : undefined);
                }),
                { numRuns: propertyRuns(300) },
            );
        });

        it("find a key through one swapped pair of neighbouring letters", () => {
            fc.assert(
                fc.property(word, fc.nat(), (key, at) => {
                    const i = at % (key.length - 1);
                    const typo = key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
                    assert.equal(closestMatch(typo, [key]), key);
                }),
            );
        });
    });

    describe("server options", () => {
        // Merging looks at names only, so any word will do here.
        const option: fc.Arbitrary<ServerOption> = fc.record(
            {
                name: fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/),
                value: fc.option(fc.stringMatching(/^[A-Za-z0-9_./-]{1,12}$/), { nil: undefined }),
            },
            { requiredKeys: ["name"] },
        );

        it("read back what they write: an accepted option, formatted, is the same option", () => {
            fc.assert(
                fc.property(validCommand(), (sample) => {
                    const parsed = parseServerOption(sample.text);
                    fc.pre(typeof parsed !== "string");
                    assert.deepEqual(parseServerOption(formatServerOption(parsed as ServerOption)), parsed);
                }),
                { numRuns: propertyRuns(500) },
            );
        });

        it("merge to one option per name, an override always winning", () => {
            fc.assert(
                fc.property(fc.array(option), fc.array(option), (defaults, overrides) => {
                    const merged = mergeServerOptions(defaults, overrides);
                    const names = merged.map((o) => o.name);
                    assert.equal(new Set(names).size, names.length);
                    assert.deepEqual(new Set(names), new Set([...defaults, ...overrides].map((o) => o.name)));
                    for (const o of overrides)
                        assert.equal(
                            merged.find((m) => m.name === o.name),
                            overrides.filter((x) => x.name === o.name).at(-1),
                        );
                }),
            );
        });
    });

    describe("the script template step", () => {
        it("keeps exactly the lines outside dropped blocks, fills every value, and leaves no marker", () => {
            const value = fc.stringMatching(/^[^@\n]{0,10}$/);
            fc.assert(
                fc.property(value, value, fc.boolean(), (a, b, on) => {
                    const text = ["x=@A@", "# @if ON", "y=@B@", "# @end", "z"].join("\n");
                    const filled = fillTemplate(text, { A: a, B: b }, { ON: on });
                    assert.equal(filled, on ? `x=${a}\ny=${b}\nz` : `x=${a}\nz`);
                }),
            );
        });
    });

    describe("GCP values", () => {
        it("make label values GCP accepts from any text", () => {
            fc.assert(fc.property(fc.string(), (text) => assert.match(gcpLabelValue(text), /^[a-z0-9_-]{0,63}$/)));
        });

        it("accept a custom tier exactly when Cloud SQL would create it", () => {
            fc.assert(
                fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 700_000 }), (cpus, memory) => {
                    const valid =
                        (cpus === 1 || (cpus % 2 === 0 && cpus <= 96)) &&
                        memory % 256 === 0 &&
                        memory >= Math.max(3840, Math.ceil(0.9 * 1024 * cpus)) &&
                        memory <= Math.floor(6.5 * 1024 * cpus);
                    assert.equal(typeof parseTier(`db-custom-${cpus}-${memory}`) === "object", valid, `${cpus} vCPUs, ${memory} MB`);
                }),
            );
        });
    });

    describe("secret redaction", () => {
        it("leaves no secret value behind, wherever secrets are nested", () => {
            const secret = (inner: unknown) => ({ [SECRET_SIG_KEY]: SECRET_SIG, value: inner });
            const tree = fc.letrec((tie) => ({
                node: fc.oneof(
                    { depthSize: "small" },
                    fc.string(),
                    fc.integer(),
                    tie("secret"),
                    fc.array(tie("node")),
                    fc.dictionary(fc.string(), tie("node")),
                ),
                secret: fc.string().map(secret),
            })).node;
            fc.assert(
                fc.property(tree, (value) => {
                    const walk = (v: unknown): void => {
                        assert.ok(!isSecretWrapper(v));
                        if (typeof v === "object" && v !== null) Object.values(v).forEach(walk);
                    };
                    walk(redactSecrets(value));
                }),
            );
        });
    });

    describe("the INI writer, read back by PHP", () => {
        before(function () {
            requireBinaries(this, "php");
        });

        it("keeps every text config.ini.php may hold exactly as it was", () => {
            const values = fc.sample(
                fc.string({ unit: "binary", maxLength: 40 }).filter((s) => checkIniText(s) === undefined),
                1000,
            );
            const ini = renderIni([["s", values.map((v, i) => [`k${i}`, v] as const)]]);
            const php =
                '$a = parse_ini_string(stream_get_contents(STDIN), true); if ($a === false) { exit(3); } echo json_encode($a["s"]);';
            const result = spawnSync("php", ["-r", php], { input: ini, encoding: "utf8" });
            assert.equal(result.status, 0, result.stderr);
            const parsed = JSON.parse(result.stdout) as Record<string, string>;
            values.forEach((value, i) => assert.equal(parsed[`k${i}`], value, JSON.stringify(value)));
        });
    });
});
