/**
 * Label selectors and node selector terms as config fields, with the API server's rules for
 * requirement operators and their values.
 */
import { oneOf, string } from "./fields";
import { checkLabelKey, checkLabelValue } from "./validators";
import { optional, ruled } from "./refine";
import { list, object, record } from "./structures";

const labelValue = string({ doc: "Label value.", required: true, check: checkLabelValue });

/** Kubernetes' rule for the values of a requirement: which operators take values, and how many. */
function valuesRule(operator: string, values: readonly string[], integers: boolean): readonly (readonly [string, string])[] {
    if ((operator === "In" || operator === "NotIn") && values.length === 0) {
        return [
            [
                "values",
                `got []; with operator "${operator}" it must list at least one value (the API server refuses an empty list); add one`,
            ],
        ];
    }
    if ((operator === "Exists" || operator === "DoesNotExist") && values.length > 0) {
        return [
            [
                "values",
                `got ${JSON.stringify(values)}, but with operator "${operator}" the values must be empty (the API server refuses them); remove them`,
            ],
        ];
    }
    if (integers && (operator === "Gt" || operator === "Lt") && (values.length !== 1 || !/^-?\d+$/.test(values[0]))) {
        return [["values", `got ${JSON.stringify(values)}; with operator "${operator}" it must be exactly one integer, e.g. ["4"]`]];
    }
    return [];
}

function requirement(operators: readonly string[], integers: boolean, doc: string) {
    return ruled(
        object(
            {
                key: string({ doc: "Label key.", required: true, check: checkLabelKey }),
                operator: oneOf(operators, { doc: `One of ${operators.join(", ")}.`, required: true }),
                values: list(labelValue, { doc: "Values (none with Exists and DoesNotExist).", default: [] }),
            },
            { doc },
        ),
        (r) => valuesRule(r.operator, r.values, integers),
    );
}

/** A label selector (`matchLabels`, `matchExpressions`). */
export const labelSelector = optional(
    object(
        {
            matchLabels: record(labelValue, { doc: "Labels a pod must have.", default: {}, checkKey: checkLabelKey }),
            matchExpressions: list(requirement(["In", "NotIn", "Exists", "DoesNotExist"], false, "A label requirement."), {
                doc: "Label requirements a pod must meet.",
                default: [],
            }),
        },
        { doc: "Which pods count (in a spread constraint, the workload's own pods when unset)." },
    ),
);

export const nodeSelectorTerm = ruled(
    object(
        {
            matchExpressions: list(requirement(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"], true, "A node label requirement."), {
                doc: "Node label requirements.",
                default: [],
            }),
            matchFields: list(
                ruled(requirement(["In", "NotIn"], false, "A node field requirement."), (r) =>
                    r.key !== "metadata.name"
                        ? [["key", `got "${r.key}"; the only node field a selector can match is metadata.name`]]
                        : r.values.length !== 1
                          ? [
                                [
                                    "values",
                                    `got ${JSON.stringify(r.values)}; it must be exactly one node name (the API server refuses more or none)`,
                                ],
                            ]
                          : [],
                ),
                { doc: "Node field requirements (metadata.name).", default: [] },
            ),
        },
        { doc: "A node selector term: all its requirements hold." },
    ),
    (t) =>
        t.matchExpressions.length + t.matchFields.length === 0
            ? [
                  [
                      "matchExpressions",
                      "is empty, and so is matchFields: an empty term matches no node (the pod would never be scheduled); add a requirement",
                  ],
              ]
            : [],
);
