/**
 * The Kubernetes scheduling structures a stack may set on its pods (tolerations, affinity,
 * topology spread constraints) as config fields, with the API server's rules (pod validation in
 * `k8s.io/kubernetes/pkg/apis/core/validation`): an operator, effect or value it would refuse is
 * reported at config time, naming the key, the value and what to do, before anything is created.
 */
import { integer, oneOf, string } from "./fields";
import { asOneRow, optional, ruled, withoutEmpty, withoutEmptyLists } from "./refine";
import { labelSelector, nodeSelectorTerm } from "./selectors";
import { list, mapped, object } from "./structures";
import { checkDnsLabel, checkLabelKey, checkLabelValue } from "./validators";

const weight = integer({ doc: "Weight, 1-100.", required: true, min: 1, max: 100 });

const podAffinityTermFields = object(
    {
        labelSelector,
        namespaces: list(string({ doc: "Namespace.", required: true, check: checkDnsLabel }), {
            doc: "Namespaces of the pods (default: the installation's).",
            default: [],
        }),
        namespaceSelector: labelSelector,
        topologyKey: string({ doc: "Node label of the topology domain.", required: true, check: checkLabelKey }),
    },
    { doc: "Pods in a topology domain." },
);
const podAffinityTerm = ruled(podAffinityTermFields, (t) =>
    t.labelSelector === undefined
        ? [
              [
                  "labelSelector",
                  "is not set, so the term matches no pod and has no effect; set it, e.g. matchLabels with app.kubernetes.io/component: web",
              ],
          ]
        : [],
);

const podAffinity = optional(
    object(
        {
            requiredDuringSchedulingIgnoredDuringExecution: list(podAffinityTerm, { doc: "Terms that must hold.", default: [] }),
            preferredDuringSchedulingIgnoredDuringExecution: list(
                object({ weight, podAffinityTerm: podAffinityTerm }, { doc: "A weighted term." }),
                { doc: "Terms preferred.", default: [] },
            ),
        },
        { doc: "Pod (anti-)affinity." },
    ),
);

/** `spec.affinity`, as in a pod spec (validated, shown as one row of the reference). */
export const affinity = mapped(
    asOneRow(
        optional(
            object(
                {
                    nodeAffinity: optional(
                        object(
                            {
                                requiredDuringSchedulingIgnoredDuringExecution: optional(
                                    ruled(
                                        object(
                                            {
                                                nodeSelectorTerms: list(nodeSelectorTerm, {
                                                    doc: "Terms, any of which holds.",
                                                    default: [],
                                                }),
                                            },
                                            { doc: "Required." },
                                        ),
                                        (r) =>
                                            r.nodeSelectorTerms.length === 0
                                                ? [
                                                      [
                                                          "nodeSelectorTerms",
                                                          "got []; it must hold at least one term (the API server refuses none); add one, or remove requiredDuringSchedulingIgnoredDuringExecution",
                                                      ],
                                                  ]
                                                : [],
                                    ),
                                ),
                                preferredDuringSchedulingIgnoredDuringExecution: list(
                                    object({ weight, preference: nodeSelectorTerm }, { doc: "A weighted term." }),
                                    { doc: "Terms preferred.", default: [] },
                                ),
                            },
                            { doc: "Node affinity." },
                        ),
                    ),
                    podAffinity,
                    podAntiAffinity: podAffinity,
                },
                {
                    doc: "Node affinity, pod affinity and pod anti-affinity (`spec.affinity`), as in a pod spec.",
                },
            ),
        ),
        "object (Kubernetes Affinity)",
    ),
    withoutEmptyLists,
);

/** The API server's rules across a toleration's fields. */
function tolerationRules(t: { key: string; operator: string; value: string; effect: string; tolerationSeconds?: number }) {
    const problems: [string, string][] = [];
    if (t.operator === "Exists" && t.value !== "") {
        problems.push([
            "value",
            `got "${t.value}", but with operator "Exists" the value must be empty (the API server refuses it); remove it, or use operator "Equal"`,
        ]);
    }
    if (t.key === "" && t.operator !== "Exists") {
        problems.push([
            "key",
            `is empty with operator "${t.operator}"; an empty key matches every taint with operator "Exists" only (the API server refuses it otherwise); set the taint key, or set operator to "Exists"`,
        ]);
    }
    if (t.tolerationSeconds !== undefined && t.effect !== "NoExecute") {
        problems.push([
            "tolerationSeconds",
            `got ${t.tolerationSeconds} with effect "${t.effect}"; it applies to effect "NoExecute" only (the API server refuses it otherwise); remove it, or set effect to "NoExecute"`,
        ]);
    }
    return problems;
}

/** One entry of `spec.tolerations` (its empty fields left out: empty means unset there). */
export const toleration = mapped(
    ruled(
        object(
            {
                key: string({
                    doc: "Taint key; empty, with operator Exists, for every taint.",
                    default: "",
                    check: (v) => (v === "" ? undefined : checkLabelKey(v)),
                }),
                operator: oneOf(["Equal", "Exists"], { doc: "`Equal` (key and value) or `Exists` (key only).", default: "Equal" }),
                value: string({ doc: "Taint value (with operator Equal).", default: "", check: checkLabelValue }),
                effect: {
                    ...oneOf(["", "NoSchedule", "PreferNoSchedule", "NoExecute"], {
                        doc: "Taint effect; empty for every effect.",
                        default: "",
                    }),
                    type: '`""` | `NoSchedule` | `PreferNoSchedule` | `NoExecute`',
                },
                tolerationSeconds: integer({
                    doc: "With effect NoExecute: how long the pod stays once the taint appears.",
                    optional: true,
                    min: 0,
                }),
            },
            { doc: "A taint the pods tolerate." },
        ),
        tolerationRules,
    ),
    withoutEmpty,
);

/** One entry of `spec.topologySpreadConstraints`. */
export const topologySpreadConstraint = mapped(
    ruled(
        object(
            {
                maxSkew: integer({
                    doc: "Largest allowed difference in matching pods between two domains (at least 1).",
                    required: true,
                    min: 1,
                }),
                topologyKey: string({
                    doc: "Node label of the domains, e.g. `topology.kubernetes.io/zone`.",
                    required: true,
                    check: checkLabelKey,
                }),
                whenUnsatisfiable: oneOf(["DoNotSchedule", "ScheduleAnyway"], {
                    doc: "What the scheduler does when the spread cannot hold.",
                    required: true,
                }),
                labelSelector: asOneRow(labelSelector, "object (Kubernetes LabelSelector)"),
                minDomains: integer({ doc: "With DoNotSchedule: the fewest domains to count.", optional: true, min: 1 }),
                matchLabelKeys: list(string({ doc: "Label key.", required: true, check: checkLabelKey }), {
                    doc: "Pod label keys whose values also select the pods counted (e.g. `pod-template-hash`).",
                    default: [],
                }),
                nodeAffinityPolicy: oneOf(["Honor", "Ignore"], {
                    doc: "Whether the pod's node affinity limits the domains.",
                    optional: true,
                }),
                nodeTaintsPolicy: oneOf(["Honor", "Ignore"], { doc: "Whether node taints limit the domains.", optional: true }),
            },
            { doc: "How the pods spread; without labelSelector it counts the workload's own pods." },
        ),
        (c) => [...minDomainsRule(c), ...matchLabelKeysRule(c)],
    ),
    withoutEmptyLists,
);

/** The API server's rule for `minDomains`. */
function minDomainsRule(c: { minDomains?: number; whenUnsatisfiable: string }): [string, string][] {
    return c.minDomains !== undefined && c.whenUnsatisfiable !== "DoNotSchedule"
        ? [
              [
                  "minDomains",
                  `got ${c.minDomains} with whenUnsatisfiable "${c.whenUnsatisfiable}"; it applies with "DoNotSchedule" only (the API server refuses it otherwise); remove it`,
              ],
          ]
        : [];
}

/** The selector keys of a constraint that names none: the workload's own (components/k8s/placement.ts). */
const OWN_SELECTOR_KEYS = ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component"];

/** The API server refuses a key both in matchLabelKeys and in the label selector. */
function matchLabelKeysRule(c: {
    matchLabelKeys: readonly string[];
    labelSelector?: { matchLabels: Readonly<Record<string, string>>; matchExpressions: readonly { key: string }[] };
}): [string, string][] {
    const selected = c.labelSelector
        ? [...Object.keys(c.labelSelector.matchLabels), ...c.labelSelector.matchExpressions.map((e) => e.key)]
        : OWN_SELECTOR_KEYS;
    const both = c.matchLabelKeys.filter((key) => selected.includes(key));
    return both.length > 0
        ? [
              [
                  "matchLabelKeys",
                  `got ${JSON.stringify(both)}, which the label selector${c.labelSelector ? "" : " (the workload's own pods)"} matches already; the API server refuses a key in both: remove it`,
              ],
          ]
        : [];
}
