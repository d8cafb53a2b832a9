/**
 * Where a workload's pods run and what metadata they carry beside the program's own: node
 * selectors, tolerations, affinity, topology spread, priority, and extra pod labels and
 * annotations. Teams schedule onto dedicated node pools (taints, selectors), rank workloads by
 * priority, and mark pods for service meshes, backup tools and cost allocation; every workload of
 * this program takes a placement, and this is the one function that applies it to a pod template.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Affinity = k8s.types.input.core.v1.Affinity;
type PodAffinity = k8s.types.input.core.v1.PodAffinity;
type TopologySpreadConstraint = k8s.types.input.core.v1.TopologySpreadConstraint;
type Labels = Readonly<Record<string, string>>;
type Annotations = Readonly<Record<string, pulumi.Input<string>>>;

/**
 * Where a workload's pods run, and the metadata they carry besides the program's. Every field
 * defaults to none: the cluster's scheduler decides, as without this placement.
 */
export interface PodPlacement {
    /** Node labels a node must have (`spec.nodeSelector`), beside any the workload needs itself. */
    readonly nodeSelector?: Labels;
    /** Taints the pods tolerate (`spec.tolerations`), e.g. of a dedicated node pool. */
    readonly tolerations?: readonly k8s.types.input.core.v1.Toleration[];
    /**
     * Node affinity, pod affinity and anti-affinity (`spec.affinity`). A workload that must share a
     * node with another (a ReadWriteOnce claim) keeps its own pod affinity term beside these.
     */
    readonly affinity?: Affinity;
    /**
     * How the pods spread over topology domains; replaces the workload's own spread (the web pods
     * spread over nodes when there are several). A constraint without `labelSelector` counts the
     * pods of its own workload. `[]` switches the workload's own spread off.
     */
    readonly topologySpreadConstraints?: readonly TopologySpreadConstraint[];
    /** PriorityClass of the pods (`spec.priorityClassName`). */
    readonly priorityClassName?: string;
    /** Labels of the pods besides the program's; a key the program sets is refused (see {@link placedTemplate}). */
    readonly podLabels?: Labels;
    /** Annotations of the pods besides the program's; a key the program sets is refused. */
    readonly podAnnotations?: Readonly<Record<string, string>>;
}

/** The labels of a workload's selector, out of its pod labels: what a spread constraint counts by default. */
const SELECTOR_KEYS = ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component"];

/** The pod template of a workload, as the program builds it: its labels, annotations and spec. */
export interface PodTemplate {
    readonly metadata: { readonly labels: Labels; readonly annotations?: Annotations };
    readonly spec: PodSpec;
}

/** What the program's and the placement's values of one map share; they must not (the program's would silently lose or win). */
function clashes(program: Readonly<Record<string, unknown>> | undefined, own: Labels | undefined): string[] {
    return Object.keys(own ?? {}).filter((key) => program !== undefined && Object.hasOwn(program, key) && program[key] !== own![key]);
}

/**
 * The workload's pod affinity with the placement's terms added: the program's own terms (a pod that
 * must share a node with the web pods) always stay, as does what the placement adds.
 */
function withPodAffinity(program: PodAffinity | undefined, own: PodAffinity | undefined): PodAffinity | undefined {
    if (program === undefined || own === undefined) return program ?? own;
    // The program's own terms are plain lists (never outputs), as are the placement's.
    const list = (value: unknown) => (value ?? []) as unknown[];
    const required = [
        ...list(program.requiredDuringSchedulingIgnoredDuringExecution),
        ...list(own.requiredDuringSchedulingIgnoredDuringExecution),
    ];
    const preferred = [
        ...list(program.preferredDuringSchedulingIgnoredDuringExecution),
        ...list(own.preferredDuringSchedulingIgnoredDuringExecution),
    ];
    return {
        requiredDuringSchedulingIgnoredDuringExecution:
            required.length > 0 ? (required as PodAffinity["requiredDuringSchedulingIgnoredDuringExecution"]) : undefined,
        preferredDuringSchedulingIgnoredDuringExecution:
            preferred.length > 0 ? (preferred as PodAffinity["preferredDuringSchedulingIgnoredDuringExecution"]) : undefined,
    };
}

/** The workload's affinity (the program's spec holds plain values) with the placement's. */
function withAffinity(program: Affinity | undefined, own: Affinity | undefined): Affinity | undefined {
    if (program === undefined || own === undefined) return program ?? own;
    return {
        nodeAffinity: own.nodeAffinity ?? program.nodeAffinity,
        podAffinity: withPodAffinity(program.podAffinity as PodAffinity | undefined, own.podAffinity as PodAffinity | undefined),
        podAntiAffinity: own.podAntiAffinity ?? program.podAntiAffinity,
    };
}

/** The placement's spread, each constraint without a selector counting the workload's own pods. */
function spreadOf(constraints: readonly TopologySpreadConstraint[], selector: Labels): TopologySpreadConstraint[] {
    return constraints.map((c) => (c.labelSelector === undefined ? { ...c, labelSelector: { matchLabels: { ...selector } } } : c));
}

/**
 * A workload's pod template with `placement` applied. The program's labels, annotations and node
 * selector win and must stay as they are (selectors, Services and NetworkPolicies match the
 * labels; the checksums roll the pods): a placement that sets one of their keys to another value
 * is a mistake the stack's config reports first, and this throws on. Pure.
 */
export function placedTemplate(placement: PodPlacement | undefined, template: PodTemplate): PodTemplate {
    if (placement === undefined) return template;
    const { labels, annotations: programAnnotations } = template.metadata;
    const clash = [
        ...clashes(labels, placement.podLabels).map((k) => `pod label ${k}`),
        ...clashes(programAnnotations, placement.podAnnotations).map((k) => `pod annotation ${k}`),
        ...clashes(template.spec.nodeSelector as Labels | undefined, placement.nodeSelector).map((k) => `node selector ${k}`),
    ];
    if (clash.length > 0)
        throw new Error(`the placement sets the workload's own ${clash.join(", ")} to another value; leave them to the program`);
    const spec = template.spec;
    const selector = Object.fromEntries(Object.entries(labels).filter(([key]) => SELECTOR_KEYS.includes(key)));
    const tolerations = [...((spec.tolerations ?? []) as k8s.types.input.core.v1.Toleration[]), ...(placement.tolerations ?? [])];
    const nodeSelector = { ...placement.nodeSelector, ...(spec.nodeSelector as Labels | undefined) };
    const annotations = { ...placement.podAnnotations, ...programAnnotations };
    return {
        metadata: {
            labels: { ...placement.podLabels, ...labels },
            annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
        },
        spec: {
            ...spec,
            nodeSelector: Object.keys(nodeSelector).length > 0 ? nodeSelector : undefined,
            tolerations: tolerations.length > 0 ? tolerations : undefined,
            affinity: withAffinity(spec.affinity as Affinity | undefined, placement.affinity),
            topologySpreadConstraints:
                placement.topologySpreadConstraints === undefined
                    ? spec.topologySpreadConstraints
                    : placement.topologySpreadConstraints.length > 0
                      ? spreadOf(placement.topologySpreadConstraints, selector)
                      : undefined,
            priorityClassName: placement.priorityClassName ?? spec.priorityClassName,
        },
    };
}
