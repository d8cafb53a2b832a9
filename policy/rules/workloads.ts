/**
 * Where the pod templates are: every Kubernetes kind that makes pods, and the path from the
 * resource's root to its pod spec, so that each pod-level rule checks every workload of the
 * program (a CronJob's pods as much as the web Deployment's) and names the field it found.
 */
import { known, knownList, record, text } from "./common";

/** The path from a resource's root to its pod template (metadata and spec), by kind. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
    Pod: [],
    Deployment: ["spec", "template"],
    StatefulSet: ["spec", "template"],
    DaemonSet: ["spec", "template"],
    ReplicaSet: ["spec", "template"],
    ReplicationController: ["spec", "template"],
    Job: ["spec", "template"],
    CronJob: ["spec", "jobTemplate", "spec", "template"],
};

/** The Kubernetes kind of a Pulumi type token (`kubernetes:apps/v1:Deployment` -> `Deployment`). */
function kubernetesKind(type: string): string | undefined {
    const match = /^kubernetes:[^:]+:([A-Za-z]+)$/.exec(type);
    return match?.[1];
}

/** Whether resources of this type make pods (a patch or a list type does not count). */
export function makesPods(type: string): boolean {
    const kind = kubernetesKind(type);
    return kind !== undefined && Object.hasOwn(TEMPLATE_PATHS, kind);
}

/** A pod spec, as loosely as resource properties are typed. */
export type PodSpec = Readonly<Record<string, unknown>>;

/** A container (or init container) of a pod spec, with the field path that names it. */
export interface ContainerAt {
    readonly container: Readonly<Record<string, unknown>>;
    /** `containers[web]` or `initContainers[setup]` (by name; by index when it has none). */
    readonly field: string;
}

/** A workload's pod template: where it is, its pods' labels, and its spec. */
export interface PodTemplate {
    /** The pod spec's path from the resource's root, with a trailing dot (`spec.template.spec.`). */
    readonly prefix: string;
    /** The template's metadata path (`spec.template.metadata`). */
    readonly metadataField: string;
    readonly labels: Readonly<Record<string, unknown>>;
    readonly spec: PodSpec;
}

/** The pod template of a resource that makes pods; undefined for any other resource. */
export function podTemplateOf(type: string, props: Readonly<Record<string, unknown>>): PodTemplate | undefined {
    const kind = kubernetesKind(type);
    if (kind === undefined || !Object.hasOwn(TEMPLATE_PATHS, kind)) return undefined;
    const path = TEMPLATE_PATHS[kind];
    const template = path.reduce<Record<string, unknown>>((node, key) => record(node[key]), record(props));
    const base = path.length === 0 ? "" : `${path.join(".")}.`;
    return {
        prefix: `${base}spec.`,
        metadataField: `${base}metadata`,
        labels: known(() => record(record(template.metadata).labels), {}),
        spec: record(template.spec),
    };
}

/** The init containers and containers of a pod spec, each with its field path. */
export function containersOf(pod: PodSpec): ContainerAt[] {
    const at = (kind: string) =>
        knownList(() => pod[kind]).map((c, index) => {
            const container = record(c);
            const name = known(() => text(container.name), undefined);
            return { container, field: `${kind}[${name ?? index}]` };
        });
    return [...at("initContainers"), ...at("containers")];
}

/** Prefixes each pod-level message (which starts with a field path) with the pod spec's path. */
function atTemplate(template: PodTemplate, messages: readonly string[]): string[] {
    return messages.map((message) => `${template.prefix}${message}`);
}

/**
 * A pure pod-level check run on the pod template of a resource: the messages carry the full field
 * path; no messages for a resource that makes no pods.
 */
export function checkPods(type: string, props: Readonly<Record<string, unknown>>, check: (pod: PodSpec) => string[]): string[] {
    const template = known(() => podTemplateOf(type, props), undefined);
    return template === undefined
        ? []
        : atTemplate(
              template,
              known(() => check(template.spec), []),
          );
}
