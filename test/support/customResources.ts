/**
 * The custom resources the program creates, checked against their CRDs' OpenAPI schemas as far as
 * the program uses them (kubernetes-models has no model of them): Prometheus Operator's
 * `PodMonitor` (monitoring.coreos.com/v1, prometheus-operator's
 * `monitoring.coreos.com_podmonitors.yaml`) and GKE Managed Service for Prometheus' `PodMonitoring`
 * (monitoring.googleapis.com/v1, GoogleCloudPlatform/prometheus-engine's
 * `monitoring.googleapis.com_podmonitorings.yaml`), and the rule objects: `PrometheusRule`
 * (`monitoring.coreos.com_prometheusrules.yaml`) and GMP's `Rules` (`monitoring.googleapis.com_rules.yaml`,
 * whose groups require an interval). A field the program starts to set that is not
 * listed here fails the check until it is added from the CRD.
 */

/** A schema node: an object with known fields (the required ones marked), a list, or a checked scalar. */
type Shape =
    | { readonly object: Readonly<Record<string, Shape>>; readonly required?: readonly string[]; readonly open?: boolean }
    | { readonly list: Shape; readonly minItems?: number }
    | { readonly string: RegExp }
    | { readonly intOrString: true };

/** Both CRDs' duration pattern (Prometheus' `model.Duration`). */
const DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
const ANY = /^[\s\S]*$/;
/** A container port's name (IANA_SVC_NAME). */
const PORT_NAME = /^(?=.{1,15}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

const labelSelector: Shape = {
    object: { matchLabels: { object: {}, open: true }, matchExpressions: { list: { object: {}, open: true } } },
};
const metadata: Shape = {
    object: {
        name: { string: ANY },
        namespace: { string: ANY },
        labels: { object: {}, open: true },
        annotations: { object: {}, open: true },
    },
};

/** A rule as both rule CRDs have it (an alerting rule; the program writes no recording rule). */
const rule = (expr: Shape): Shape => ({
    object: {
        alert: { string: /^.+$/ },
        expr,
        for: { string: DURATION },
        labels: { object: {}, open: true },
        annotations: { object: {}, open: true },
    },
    required: ["expr"],
});
const ruleGroups = (expr: Shape, groupRequired: readonly string[]): Shape => ({
    object: {
        spec: {
            object: {
                groups: {
                    list: {
                        object: { name: { string: /^.+$/ }, interval: { string: DURATION }, rules: { list: rule(expr) } },
                        required: groupRequired,
                    },
                },
            },
        },
    },
    required: ["spec"],
});

const CRDS: Readonly<Record<string, Shape>> = {
    "monitoring.coreos.com/v1/PrometheusRule": ruleGroups({ intOrString: true }, ["name"]),
    "monitoring.googleapis.com/v1/Rules": ruleGroups({ string: /^.+$/ }, ["name", "interval", "rules"]),
    "monitoring.coreos.com/v1/PodMonitor": {
        object: {
            spec: {
                object: {
                    selector: labelSelector,
                    podMetricsEndpoints: {
                        list: { object: { port: { string: PORT_NAME }, path: { string: /^\// }, interval: { string: DURATION } } },
                    },
                },
                required: ["selector"],
            },
        },
        required: ["spec"],
    },
    "monitoring.googleapis.com/v1/PodMonitoring": {
        object: {
            spec: {
                object: {
                    selector: labelSelector,
                    endpoints: {
                        list: {
                            object: { port: { intOrString: true }, path: { string: /^\// }, interval: { string: DURATION } },
                            required: ["port"],
                        },
                        minItems: 1,
                    },
                },
                required: ["selector", "endpoints"],
            },
        },
        required: ["spec"],
    },
};

/** Whether the program's objects of this apiVersion and kind are checked here. */
export function isCustomResource(apiVersion: string, kind: string): boolean {
    return `${apiVersion}/${kind}` in CRDS;
}

/** The problems of `object` against its CRD's schema, each with its path. */
export function customResourceProblems(object: Record<string, unknown>): string[] {
    const shape = CRDS[`${String(object.apiVersion)}/${String(object.kind)}`];
    if (!shape) return [`no CRD schema for ${String(object.apiVersion)} ${String(object.kind)}`];
    const { apiVersion: _a, kind: _k, metadata: meta, ...rest } = object;
    return [...problems(metadata, meta ?? {}, "metadata"), ...problems(shape, rest, "")];
}

function problems(shape: Shape, value: unknown, path: string): string[] {
    if ("string" in shape)
        return typeof value === "string" && shape.string.test(value)
            ? []
            : [`${path}: ${JSON.stringify(value)} does not match ${shape.string}`];
    if ("intOrString" in shape) return typeof value === "string" || Number.isInteger(value) ? [] : [`${path}: not an int or string`];
    if ("list" in shape) {
        if (!Array.isArray(value)) return [`${path}: not a list`];
        const short = value.length < (shape.minItems ?? 0) ? [`${path}: fewer than ${shape.minItems} items`] : [];
        return [...short, ...value.flatMap((item, i) => problems(shape.list, item, `${path}[${i}]`))];
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: not an object`];
    const fields = value as Record<string, unknown>;
    return [
        ...(shape.required ?? []).filter((name) => !(name in fields)).map((name) => `${path}.${name}: required`),
        ...Object.entries(fields).flatMap(([name, field]) =>
            name in shape.object
                ? problems(shape.object[name], field, `${path}.${name}`)
                : shape.open
                  ? []
                  : [`${path}.${name}: not a field of the CRD as far as this check knows it`],
        ),
    ];
}
