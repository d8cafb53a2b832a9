/**
 * Kubernetes label selectors (`matchLabels` and `matchExpressions`), evaluated as the API server
 * does, so that the network policy rule decides which pods a NetworkPolicy selects exactly as the
 * cluster will. A rule that guessed (say, by comparing only `app.kubernetes.io/name`) would pass a
 * deny-all policy that selects nothing, and leave the pods open.
 *
 * Semantics (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/): every
 * `matchLabels` pair and every expression must hold; `In` needs the label with one of the values,
 * `NotIn` holds when the label is absent or has none of the values, `Exists` and `DoesNotExist`
 * test the key only. An empty selector selects everything. An unknown operator selects nothing
 * (the API server would refuse it).
 */

export interface LabelSelectorRequirement {
    readonly key: string;
    readonly operator: string;
    readonly values?: readonly string[];
}

export interface LabelSelector {
    readonly matchLabels?: Readonly<Record<string, string>>;
    readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** Whether one requirement holds for the labels. */
function requirementHolds(requirement: LabelSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
    const has = Object.hasOwn(labels, requirement.key);
    const values = requirement.values ?? [];
    switch (requirement.operator) {
        case "In":
            return has && values.includes(labels[requirement.key]);
        case "NotIn":
            return !has || !values.includes(labels[requirement.key]);
        case "Exists":
            return has;
        case "DoesNotExist":
            return !has;
        default:
            return false;
    }
}

/** Whether the selector selects an object with these labels. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
    const pairs = Object.entries(selector.matchLabels ?? {});
    return (
        pairs.every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value) &&
        (selector.matchExpressions ?? []).every((requirement) => requirementHolds(requirement, labels))
    );
}
