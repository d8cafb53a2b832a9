/**
 * A placement with every field set, and the check that a workload's pods carry it, for the tests
 * that build each component alone with its `placement`.
 */
import assert from "node:assert/strict";
import type { PodPlacement } from "../../components/k8s/placement";
import type { CapturedResource } from "../../scripts/lib/mockEngine";

/** Every field of a placement, none the same as a program's own value. */
export const SAMPLE_PLACEMENT: PodPlacement = {
    nodeSelector: { "example.org/pool": "analytics" },
    tolerations: [{ key: "example.org/dedicated", operator: "Exists", effect: "NoSchedule" }],
    affinity: {
        nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: "example.org/disk", operator: "In", values: ["ssd"] }] }],
            },
        },
    },
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" }],
    priorityClassName: "analytics",
    podLabels: { "example.org/team": "web-analytics" },
    podAnnotations: { "example.org/owner": "analytics-team" },
};

/** The pod template of a workload (Deployment, StatefulSet, Job, CronJob). */
export function podTemplateOf(resource: CapturedResource): { metadata: Record<string, any>; spec: Record<string, any> } {
    const spec = resource.inputs.spec as Record<string, any>;
    return resource.type.endsWith(":CronJob") ? spec.jobTemplate.spec.template : spec.template;
}

/** Asserts that the workload's pods carry {@link SAMPLE_PLACEMENT} beside the program's own labels. */
export function assertPlaced(resource: CapturedResource): void {
    const { metadata, spec } = podTemplateOf(resource);
    const name = `${resource.type} ${resource.name}`;
    const p = SAMPLE_PLACEMENT;
    assert.equal(spec.nodeSelector?.["example.org/pool"], "analytics", name);
    assert.deepEqual(spec.tolerations, p.tolerations, name);
    assert.deepEqual(spec.affinity?.nodeAffinity, p.affinity!.nodeAffinity, name);
    assert.equal(spec.topologySpreadConstraints?.[0]?.topologyKey, "topology.kubernetes.io/zone", name);
    assert.deepEqual(
        spec.topologySpreadConstraints[0].labelSelector.matchLabels["app.kubernetes.io/component"],
        metadata.labels["app.kubernetes.io/component"],
        `${name}: the spread counts the workload's own pods`,
    );
    assert.equal(spec.priorityClassName, "analytics", name);
    assert.equal(metadata.labels["example.org/team"], "web-analytics", name);
    assert.ok(metadata.labels["app.kubernetes.io/component"], `${name} keeps its own labels`);
    assert.equal(metadata.annotations?.["example.org/owner"], "analytics-team", name);
}
