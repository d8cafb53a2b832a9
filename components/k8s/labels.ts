/**
 * The `app.kubernetes.io/*` labels every object carries, so that `kubectl get -l` and dashboards
 * can find an installation and its parts.
 */

/** Who an object belongs to. */
export interface Identity {
    /** The application the object runs: `matomo`, `mariadb`. */
    readonly name: string;
    /** Its role in the installation: `web`, `database`, ... */
    readonly component: string;
    /** The installation (`<project>-<stack>`), so two stacks in one cluster never select each other's pods. */
    readonly instance: string;
}

/** The labels a workload's selector matches: stable for the lifetime of the object. */
export function selectorLabels(id: Identity): Record<string, string> {
    return {
        "app.kubernetes.io/name": id.name,
        "app.kubernetes.io/instance": id.instance,
        "app.kubernetes.io/component": id.component,
    };
}

/** The full recommended label set. */
export function standardLabels(id: Identity): Record<string, string> {
    return {
        ...selectorLabels(id),
        "app.kubernetes.io/part-of": "matomo",
        "app.kubernetes.io/managed-by": "pulumi",
    };
}
