/**
 * `matomo:pods`: where each group of workloads runs (node selector, tolerations, affinity, topology
 * spread, priority) and the labels and annotations its pods carry besides the program's, with a
 * stack-wide `default`. docs/scheduling.md has the groups and examples.
 */
import type { PodPlacement } from "../../k8s/placement";
import { string, type Issue, type ValueOf } from "../schema/fields";
import { ANNOTATIONS_MAX_BYTES, annotationsBytes, checkPriorityClassName } from "../schema/labels";
import { affinity, toleration, topologySpreadConstraint } from "../schema/podScheduling";
import { list, object, record } from "../schema/structures";
import { closestMatch } from "../schema/text";
import { checkAnnotationKey, checkLabelKey, checkLabelValue } from "../schema/validators";
import { fullKey, writtenFields, type ResolveContext } from "./context";

/** The workload groups, as the stack file names them. */
export const POD_GROUPS = [
    "web",
    "database",
    "setup",
    "archive",
    "scheduledTasks",
    "deleteData",
    "ldapSync",
    "geoip",
    "logImport",
    "backup",
] as const;
export type PodGroup = (typeof POD_GROUPS)[number];

/** The fields a group's value replaces the default's with, when the group sets them; the maps of pod metadata merge instead. */
type Scheduling = "nodeSelector" | "tolerations" | "affinity" | "topologySpreadConstraints" | "priorityClassName";

/** Label key prefixes and annotation key prefixes the program sets on its pods. */
const OWN_LABEL_PREFIX = "app.kubernetes.io/";
const OWN_ANNOTATION_PREFIXES = ["checksum/", "matomo/"];
/** Room left in the API server's annotation limit for the program's own pod annotations (checksums, the image). */
const OWN_ANNOTATIONS_BYTES = 1024;

const labelValue = string({ doc: "Label value.", required: true, check: checkLabelValue });

const placement = object(
    {
        nodeSelector: record(labelValue, {
            doc: "Node labels a node must have (`spec.nodeSelector`), e.g. `cloud.google.com/gke-nodepool: analytics`.",
            default: {},
            checkKey: checkLabelKey,
        }),
        tolerations: list(toleration, { doc: "Taints the pods tolerate (`spec.tolerations`).", default: [] }),
        affinity,
        topologySpreadConstraints: list(topologySpreadConstraint, {
            doc: "How the pods spread over nodes or zones; `[]` for none. Replaces the web pods' own spread over nodes.",
            default: [],
        }),
        priorityClassName: string({
            doc: "PriorityClass of the pods; empty for the cluster's default.",
            default: "",
            check: checkPriorityClassName,
        }),
        podLabels: record(labelValue, {
            doc: "Labels of the pods besides the program's (`app.kubernetes.io/*` are the program's).",
            default: {},
            checkKey: (key) =>
                key.startsWith(OWN_LABEL_PREFIX)
                    ? "the app.kubernetes.io/ labels are the program's own: its selectors, Services and NetworkPolicies match them, so another value would cut the pods off; use a prefix of your own, e.g. example.com/team"
                    : checkLabelKey(key),
        }),
        podAnnotations: record(string({ doc: "Annotation value.", required: true, multiline: true }), {
            doc: "Annotations of the pods besides the program's (`checksum/*` and `matomo/*` are the program's).",
            default: {},
            checkKey: (key) =>
                OWN_ANNOTATION_PREFIXES.some((prefix) => key.startsWith(prefix))
                    ? `the ${OWN_ANNOTATION_PREFIXES.join(" and ")} annotations are the program's own (the checksums that roll the pods when their files change); use a prefix of your own`
                    : checkAnnotationKey(key),
        }),
    },
    { doc: "Where a group's pods run and what they carry." },
);

const groupNames = ["default", ...POD_GROUPS];

export const podsKey = {
    ...record(placement, {
        doc:
            "Scheduling and pod metadata per workload group (`default`, " +
            POD_GROUPS.map((g) => `\`${g}\``).join(", ") +
            "; see [scheduling.md](scheduling.md)). A group's scheduling field (nodeSelector, tolerations, affinity, topologySpreadConstraints, priorityClassName) replaces `default`'s; its podLabels and podAnnotations are added to `default`'s.",
        default: {},
        checkKey: (key) => {
            if (groupNames.includes(key)) return undefined;
            const hint = closestMatch(key, groupNames);
            return `expected default or a workload group (${POD_GROUPS.join(", ")})` + (hint ? `; did you mean "${hint}"?` : "");
        },
    }),
    // The reference shows one group's fields, under <group>.
    fields: { "<group>": placement },
};

type PlacementValue = ValueOf<typeof placement>;

/** The placement of every group, each resolved from its own value and the default's. */
export type PodsConfig = Readonly<Record<PodGroup, PodPlacement>>;

/** A map without entries as unset. */
const unlessEmpty = <T extends object>(map: T): T | undefined => (Object.keys(map).length > 0 ? map : undefined);

/** One group's placement: its scheduling fields, or the default's where it sets none; the default's metadata with its own. */
function placementOf(pods: Readonly<Record<string, PlacementValue>>, group: PodGroup, ctx: ResolveContext): PodPlacement {
    const own = new Set(writtenFields(ctx, "pods", group));
    const defaults = new Set(writtenFields(ctx, "pods", "default"));
    const from = <F extends Scheduling>(field: F): PlacementValue[F] | undefined =>
        own.has(field) ? pods[group]?.[field] : defaults.has(field) ? pods.default?.[field] : undefined;
    return {
        nodeSelector: unlessEmpty({ ...from("nodeSelector") }),
        tolerations: unlessEmpty([...(from("tolerations") ?? [])]),
        // The parsed values have the Kubernetes shapes, as read-only lists.
        affinity: from("affinity") as PodPlacement["affinity"],
        topologySpreadConstraints: from("topologySpreadConstraints") as PodPlacement["topologySpreadConstraints"],
        priorityClassName: from("priorityClassName") || undefined,
        podLabels: unlessEmpty({ ...pods.default?.podLabels, ...pods[group]?.podLabels }),
        podAnnotations: unlessEmpty({ ...pods.default?.podAnnotations, ...pods[group]?.podAnnotations }),
    };
}

/** Which groups have pods in this stack, and how to switch on those that do not. */
export type RunningGroups = Readonly<Record<PodGroup, true | string>>;

/**
 * Every group's placement, and the problems across keys: a group whose workload the stack does not
 * run (a setting without effect), a node selector that contradicts `logsHostLabels`, annotations
 * over the API server's size limit.
 */
export function resolvePods(
    pods: Readonly<Record<string, PlacementValue>>,
    running: RunningGroups,
    logsHostLabels: Readonly<Record<string, string>>,
    ctx: ResolveContext,
): { pods: PodsConfig; issues: Issue[] } {
    const issues: Issue[] = [];
    const resolved = Object.fromEntries(POD_GROUPS.map((group) => [group, placementOf(pods, group, ctx)])) as Record<
        PodGroup,
        PodPlacement
    >;
    for (const group of POD_GROUPS) {
        const where = running[group];
        if (where !== true && pods[group] !== undefined) {
            issues.push({
                key: fullKey(`pods.${group}`),
                message: `places the ${group} pods, which this stack does not run: ${where}; remove it, or switch them on`,
            });
        }
        const bytes = annotationsBytes(resolved[group].podAnnotations ?? {});
        if (bytes > ANNOTATIONS_MAX_BYTES - OWN_ANNOTATIONS_BYTES) {
            issues.push({
                key: fullKey(`pods.${pods[group]?.podAnnotations ? group : "default"}.podAnnotations`),
                message: `add up to ${bytes} bytes for the ${group} pods; the API server refuses more than 256 KiB of annotations per pod, and the program's own need up to 1 KiB: move large values elsewhere (a ConfigMap)`,
            });
        }
    }
    const selector = resolved.logImport.nodeSelector ?? {};
    for (const [key, value] of Object.entries(logsHostLabels).filter(([k, v]) => k in selector && selector[k] !== v)) {
        const from = writtenFields(ctx, "pods", "logImport").includes("nodeSelector") ? "logImport" : "default";
        issues.push({
            key: fullKey(`pods.${from}.nodeSelector.${key}`),
            message: `got "${selector[key]}", but logsHostLabels pins the log jobs to ${key}="${value}" (the node that holds their volume), and no node can have both; remove it, or make the two agree`,
        });
    }
    return { pods: resolved, issues };
}
