/**
 * `placedTemplate`, the one function that puts a workload's pods where its placement says: the
 * program's labels, annotations, node selector and pod affinity always stay, the placement's are
 * added, its spread replaces the workload's own, and its label validators agree with the API
 * server's syntax on generated keys and values.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkLabelKey, checkLabelValue } from "../components/config/schema/validators";
import { placedTemplate, type PodPlacement, type PodTemplate } from "../components/k8s/placement";

const PROGRAM_LABELS = {
    "app.kubernetes.io/name": "matomo",
    "app.kubernetes.io/instance": "matomo-test",
    "app.kubernetes.io/component": "web",
    "app.kubernetes.io/part-of": "matomo",
};
const COLOCATE = { labelSelector: { matchLabels: { a: "b" } }, topologyKey: "kubernetes.io/hostname" };
const template = (): PodTemplate => ({
    metadata: { labels: PROGRAM_LABELS, annotations: { "checksum/config": "abc" } },
    spec: {
        containers: [{ name: "c", image: "i" }],
        nodeSelector: { "logs.example.org/host": "yes" },
        affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [COLOCATE] } },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway" }],
    },
});

const labelName = fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,20}[a-z0-9])?$/);
const ownKey = fc.tuple(fc.constantFrom("example.org/", "team.example.com/", ""), labelName).map(([p, n]) => p + n);
const ownMap = fc.dictionary(ownKey, labelName, { maxKeys: 5 });

describe("pod placement", () => {
    it("leaves a template as it is without a placement", () => {
        const t = template();
        assert.equal(placedTemplate(undefined, t), t);
    });

    it("keeps the program's labels, annotations, node selector and pod affinity, and adds the placement's", () => {
        fc.assert(
            fc.property(ownMap, ownMap, ownMap, (podLabels, podAnnotations, nodeSelector) => {
                const placed = placedTemplate({ podLabels, podAnnotations, nodeSelector }, template());
                assert.deepEqual(placed.metadata.labels, { ...podLabels, ...PROGRAM_LABELS });
                assert.deepEqual(placed.metadata.annotations, { ...podAnnotations, "checksum/config": "abc" });
                assert.deepEqual(placed.spec.nodeSelector, { ...nodeSelector, "logs.example.org/host": "yes" });
            }),
        );
    });

    it("refuses a placement that gives one of the program's keys another value", () => {
        assert.throws(
            () => placedTemplate({ podLabels: { "app.kubernetes.io/component": "db" } }, template()),
            /pod label app.kubernetes.io\/component/,
        );
        assert.throws(() => placedTemplate({ podAnnotations: { "checksum/config": "x" } }, template()), /pod annotation checksum\/config/);
        assert.throws(() => placedTemplate({ nodeSelector: { "logs.example.org/host": "no" } }, template()), /node selector/);
        assert.doesNotThrow(
            () => placedTemplate({ nodeSelector: { "logs.example.org/host": "yes" } }, template()),
            "the same value is no clash",
        );
    });

    it("adds its pod affinity terms to the program's, and its node affinity and anti-affinity beside", () => {
        const own = { labelSelector: { matchLabels: { c: "d" } }, topologyKey: "topology.kubernetes.io/zone" };
        const placement: PodPlacement = {
            affinity: {
                podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [own] },
                podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: own }] },
            },
        };
        const affinity = placedTemplate(placement, template()).spec.affinity as Record<string, any>;
        assert.deepEqual(affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution, [COLOCATE, own]);
        assert.equal(affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution.length, 1);
    });

    it("replaces the workload's spread, counting its own pods where a constraint names none; [] removes it", () => {
        const zone = { maxSkew: 2, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule" };
        const spread = placedTemplate({ topologySpreadConstraints: [zone] }, template()).spec.topologySpreadConstraints;
        assert.deepEqual(spread, [
            {
                ...zone,
                labelSelector: {
                    matchLabels: {
                        "app.kubernetes.io/name": "matomo",
                        "app.kubernetes.io/instance": "matomo-test",
                        "app.kubernetes.io/component": "web",
                    },
                },
            },
        ]);
        assert.equal(placedTemplate({ topologySpreadConstraints: [] }, template()).spec.topologySpreadConstraints, undefined);
        assert.equal((placedTemplate({ priorityClassName: "high" }, template()).spec.topologySpreadConstraints as unknown[]).length, 1);
    });

    it("puts tolerations and the priority class on the pod", () => {
        const toleration = { key: "dedicated", operator: "Exists", effect: "NoSchedule" };
        const placed = placedTemplate({ tolerations: [toleration], priorityClassName: "high" }, template());
        assert.deepEqual(placed.spec.tolerations, [toleration]);
        assert.equal(placed.spec.priorityClassName, "high");
    });

    describe("label syntax", () => {
        it("accepts every key and value of the API server's syntax", () => {
            fc.assert(
                fc.property(ownKey, labelName, (key, value) => checkLabelKey(key) === undefined && checkLabelValue(value) === undefined),
            );
        });

        it("refuses values over 63 characters and ones that start or end with a symbol", () => {
            fc.assert(fc.property(fc.string({ minLength: 64, maxLength: 100 }), (value) => checkLabelValue(value) !== undefined));
            fc.assert(
                fc.property(labelName, fc.constantFrom("-", "_", "."), (name, symbol) => checkLabelValue(symbol + name) !== undefined),
            );
        });
    });
});
