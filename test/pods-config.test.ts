/**
 * `matomo:pods`: how each workload group's placement resolves from its own value and `default`,
 * and every value the API server would refuse, refused at config time with the key named.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { INVALID, type ParseContext } from "../components/config/schema/fields";
import { toleration, topologySpreadConstraint } from "../components/config/schema/podScheduling";
import { POD_GROUPS } from "../components/config/sections/pods";
import { stackConfig } from "./support/harness";
import { assertRejected, parse, valid } from "./support/configCases";

const pods = (value: Record<string, unknown>) => ({ "matomo:pods": value }) as Parameters<typeof valid>[0];
const NO_EXECUTE = { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 };
const DEDICATED = { key: "example.org/dedicated", operator: "Equal", value: "analytics", effect: "NoSchedule" };

describe("pods configuration", () => {
    it("places nothing by default: every group's placement is empty", () => {
        const cfg = valid({});
        for (const group of POD_GROUPS)
            assert.deepEqual(
                Object.values(cfg.pods[group]).filter((v) => v !== undefined),
                [],
                group,
            );
    });

    it("gives every group the default where it sets nothing, its own scheduling field where it does", () => {
        const cfg = valid(
            pods({
                default: { nodeSelector: { "example.org/pool": "analytics" }, tolerations: [DEDICATED], priorityClassName: "normal" },
                web: { tolerations: [], priorityClassName: "high" },
            }),
        );
        assert.deepEqual(cfg.pods.archive.nodeSelector, { "example.org/pool": "analytics" });
        assert.deepEqual(cfg.pods.archive.tolerations, [DEDICATED]);
        assert.equal(cfg.pods.archive.priorityClassName, "normal");
        assert.deepEqual(cfg.pods.web.nodeSelector, { "example.org/pool": "analytics" }, "a field the group leaves is the default's");
        assert.equal(cfg.pods.web.tolerations, undefined, "[] replaces the default's tolerations with none");
        assert.equal(cfg.pods.web.priorityClassName, "high");
    });

    it("adds a group's pod labels and annotations to the default's, the group's winning on the same key", () => {
        const cfg = valid(
            pods({
                default: { podLabels: { team: "analytics", tier: "a" }, podAnnotations: { "example.org/owner": "x" } },
                setup: { podLabels: { tier: "b" }, podAnnotations: { "sidecar.istio.io/inject": "false" } },
            }),
        );
        assert.deepEqual(cfg.pods.setup.podLabels, { team: "analytics", tier: "b" });
        assert.deepEqual(cfg.pods.setup.podAnnotations, { "example.org/owner": "x", "sidecar.istio.io/inject": "false" });
        assert.deepEqual(cfg.pods.web.podLabels, { team: "analytics", tier: "a" });
    });

    it("keeps the web pods' own spread unless a spread is set, and [] as none", () => {
        assert.equal(valid({}).pods.web.topologySpreadConstraints, undefined);
        assert.deepEqual(valid(pods({ web: { topologySpreadConstraints: [] } })).pods.web.topologySpreadConstraints, []);
        const zone = { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" };
        assert.equal(valid(pods({ default: { topologySpreadConstraints: [zone] } })).pods.web.topologySpreadConstraints?.length, 1);
    });

    it("accepts the tolerations, affinity and spread the API server accepts", () => {
        const cfg = valid(
            pods({
                database: {
                    tolerations: [NO_EXECUTE, { operator: "Exists" }],
                    affinity: {
                        nodeAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: {
                                nodeSelectorTerms: [{ matchExpressions: [{ key: "example.org/cpus", operator: "Gt", values: ["4"] }] }],
                            },
                        },
                        podAntiAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: [
                                { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "other" } } },
                            ],
                        },
                    },
                },
            }),
        );
        assert.deepEqual(cfg.pods.database.tolerations, [NO_EXECUTE, { operator: "Exists" }], "empty fields left out");
        assert.deepEqual(
            cfg.pods.database.affinity,
            {
                nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [{ matchExpressions: [{ key: "example.org/cpus", operator: "Gt", values: ["4"] }] }],
                    },
                },
                podAntiAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                        { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "other" } } },
                    ],
                },
            },
            "as written: no empty lists added",
        );
    });

    describe("refuses what the API server would, naming the key", () => {
        const cases: [string, Record<string, unknown>, string, string][] = [
            [
                "Exists with a value",
                { web: { tolerations: [{ key: "a", operator: "Exists", value: "b" }] } },
                "pods.web.tolerations[0].value",
                "must be empty",
            ],
            ["an empty key without Exists", { web: { tolerations: [{ value: "b" }] } }, "pods.web.tolerations[0].key", '"Exists"'],
            [
                "an unknown effect",
                { web: { tolerations: [{ key: "a", effect: "NoScheduling" }] } },
                "pods.web.tolerations[0].effect",
                "NoSchedule",
            ],
            [
                "tolerationSeconds without NoExecute",
                { web: { tolerations: [{ key: "a", effect: "NoSchedule", tolerationSeconds: 5 }] } },
                "pods.web.tolerations[0].tolerationSeconds",
                "NoExecute",
            ],
            ["an unknown operator", { web: { tolerations: [{ key: "a", operator: "In" }] } }, "pods.web.tolerations[0].operator", "Equal"],
            [
                "whenUnsatisfiable",
                { web: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "k", whenUnsatisfiable: "Never" }] } },
                "pods.web.topologySpreadConstraints[0].whenUnsatisfiable",
                "DoNotSchedule",
            ],
            [
                "maxSkew 0",
                { web: { topologySpreadConstraints: [{ maxSkew: 0, topologyKey: "k", whenUnsatisfiable: "ScheduleAnyway" }] } },
                "pods.web.topologySpreadConstraints[0].maxSkew",
                ">= 1",
            ],
            [
                "an empty topologyKey",
                { web: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "", whenUnsatisfiable: "ScheduleAnyway" }] } },
                "pods.web.topologySpreadConstraints[0].topologyKey",
                "label",
            ],
            [
                "minDomains with ScheduleAnyway",
                {
                    web: {
                        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "k", whenUnsatisfiable: "ScheduleAnyway", minDomains: 2 }],
                    },
                },
                "pods.web.topologySpreadConstraints[0].minDomains",
                "DoNotSchedule",
            ],
            ["a node selector key", { default: { nodeSelector: { "bad key": "x" } } }, "pods.default.nodeSelector.bad key", "label"],
            ["a label value over 63 characters", { default: { podLabels: { team: "x".repeat(64) } } }, "pods.default.podLabels.team", "63"],
            [
                "the program's label prefix",
                { web: { podLabels: { "app.kubernetes.io/name": "x" } } },
                "pods.web.podLabels.app.kubernetes.io/name",
                "program's own",
            ],
            [
                "the program's annotation prefix",
                { web: { podAnnotations: { "checksum/config": "x" } } },
                "pods.web.podAnnotations.checksum/config",
                "program's own",
            ],
            ["an annotation key", { web: { podAnnotations: { "-bad": "x" } } }, "pods.web.podAnnotations.-bad", "name"],
            ["a priorityClassName", { web: { priorityClassName: "High_Priority" } }, "pods.web.priorityClassName", "PriorityClass"],
            ["an unknown group", { webs: {} }, "pods.webs", 'did you mean "web"'],
            ["an unknown field", { web: { nodeSelecter: {} } }, "pods.web.nodeSelecter", "nodeSelector"],
            [
                "In without values",
                {
                    web: {
                        affinity: {
                            nodeAffinity: {
                                requiredDuringSchedulingIgnoredDuringExecution: {
                                    nodeSelectorTerms: [{ matchExpressions: [{ key: "a", operator: "In" }] }],
                                },
                            },
                        },
                    },
                },
                "pods.web.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values",
                "at least one",
            ],
            [
                "Gt with a word",
                {
                    web: {
                        affinity: {
                            nodeAffinity: {
                                requiredDuringSchedulingIgnoredDuringExecution: {
                                    nodeSelectorTerms: [{ matchExpressions: [{ key: "a", operator: "Gt", values: ["big"] }] }],
                                },
                            },
                        },
                    },
                },
                "pods.web.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values",
                "one integer",
            ],
            [
                "Exists with values",
                {
                    web: {
                        affinity: {
                            podAffinity: {
                                requiredDuringSchedulingIgnoredDuringExecution: [
                                    {
                                        topologyKey: "k",
                                        labelSelector: { matchExpressions: [{ key: "a", operator: "Exists", values: ["b"] }] },
                                    },
                                ],
                            },
                        },
                    },
                },
                "pods.web.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].values",
                "must be empty",
            ],
            [
                "no node selector terms",
                { web: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } } },
                "pods.web.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms",
                "at least one term",
            ],
            [
                "an empty term",
                { web: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } } },
                "pods.web.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions",
                "matches no node",
            ],
            [
                "a weight over 100",
                {
                    web: {
                        affinity: {
                            podAntiAffinity: {
                                preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 101, podAffinityTerm: { topologyKey: "k" } }],
                            },
                        },
                    },
                },
                "pods.web.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
                "1 to 100",
            ],
            ["a group whose workload is off", { logImport: { priorityClassName: "low" } }, "pods.logImport", "no log import"],
        ];
        cases.push(
            [
                "a pod affinity term without labelSelector",
                {
                    web: {
                        affinity: {
                            podAntiAffinity: {
                                requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname" }],
                            },
                        },
                    },
                },
                "pods.web.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector",
                "matches no pod",
            ],
            [
                "matchLabelKeys that the selector matches already",
                {
                    web: {
                        topologySpreadConstraints: [
                            {
                                maxSkew: 1,
                                topologyKey: "k",
                                whenUnsatisfiable: "ScheduleAnyway",
                                matchLabelKeys: ["app.kubernetes.io/instance"],
                            },
                        ],
                    },
                },
                "pods.web.topologySpreadConstraints[0].matchLabelKeys",
                "refuses a key in both",
            ],
        );
        for (const [what, value, key, text] of cases) {
            it(what, () => assertRejected(pods(value), `matomo:${key}`, text));
        }

        it("annotations over the API server's 256 KiB", () => {
            assertRejected(
                pods({ default: { podAnnotations: { "example.org/big": "x".repeat(256 * 1024) } } }),
                "matomo:pods.default.podAnnotations",
                "256 KiB",
            );
        });

        it("a database placement on topology google, which runs no database pod", () => {
            const { config, issues } = parse(pods({ database: { priorityClassName: "high" } }), stackConfig("prod"));
            assert.equal(config, undefined);
            assert.ok(
                issues.some((i) => i.key === "matomo:pods.database" && i.message.includes("Cloud SQL")),
                JSON.stringify(issues),
            );
        });

        it("a log-import node selector that contradicts logsHostLabels", () => {
            const base = stackConfig("test/fixtures/Pulumi.everything-on.yaml");
            const { issues } = parse(
                {
                    "matomo:logsHostLabels": { "kubernetes.io/hostname": "node-a" },
                    "matomo:pods": { logImport: { nodeSelector: { "kubernetes.io/hostname": "node-b" } } },
                },
                base,
            );
            assert.ok(
                issues.some(
                    (i) => i.key === "matomo:pods.logImport.nodeSelector.kubernetes.io/hostname" && i.message.includes("logsHostLabels"),
                ),
                JSON.stringify(issues),
            );
        });
    });

    describe("properties: a value parses exactly when the API server's rules hold", () => {
        const ctx = (): ParseContext => ({ key: "matomo:pods.web.x", setPath: "pods.web.x", secretKey: false, issues: [] });
        const word = fc.constantFrom("", "dedicated", "example.org/dedicated", "bad key", "x".repeat(64));

        it("tolerations", () => {
            fc.assert(
                fc.property(
                    word,
                    fc.constantFrom("Equal", "Exists", "In"),
                    word,
                    fc.constantFrom("", "NoSchedule", "PreferNoSchedule", "NoExecute", "Never"),
                    fc.option(fc.integer({ min: -5, max: 100 }), { nil: undefined }),
                    (key, operator, value, effect, tolerationSeconds) => {
                        const ok =
                            (key === "" || key === "dedicated" || key === "example.org/dedicated") &&
                            (value === "" || value === "dedicated") &&
                            operator !== "In" &&
                            effect !== "Never" &&
                            !(operator === "Exists" && value !== "") &&
                            !(key === "" && operator !== "Exists") &&
                            (tolerationSeconds === undefined || (tolerationSeconds >= 0 && effect === "NoExecute"));
                        const parsed = toleration.parse({ key, operator, value, effect, tolerationSeconds }, ctx());
                        assert.equal(parsed !== INVALID, ok, JSON.stringify({ key, operator, value, effect, tolerationSeconds }));
                    },
                ),
            );
        });

        it("topology spread constraints", () => {
            fc.assert(
                fc.property(
                    fc.integer({ min: -1, max: 3 }),
                    word,
                    fc.constantFrom("DoNotSchedule", "ScheduleAnyway", "Never"),
                    fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
                    (maxSkew, topologyKey, whenUnsatisfiable, minDomains) => {
                        const ok =
                            maxSkew >= 1 &&
                            (topologyKey === "dedicated" || topologyKey === "example.org/dedicated") &&
                            whenUnsatisfiable !== "Never" &&
                            (minDomains === undefined || (minDomains >= 1 && whenUnsatisfiable === "DoNotSchedule"));
                        const raw = { maxSkew, topologyKey, whenUnsatisfiable, minDomains };
                        assert.equal(topologySpreadConstraint.parse(raw, ctx()) !== INVALID, ok, JSON.stringify(raw));
                    },
                ),
            );
        });
    });
});
