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

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * `app.kubernetes.io/version` for a workload and its pods: the image's tag (e.g. `5.11.2-apache`),
 * when the image is pinned by tag and the tag is a valid label value; nothing for an image pinned
 * by digest, whose version the program does not know. Never on selectors or claim templates:
 * those cannot change, and the version does with every upgrade.
 */
export function versionLabel(image: { readonly reference: string }): Record<string, string> {
    if (image.reference.includes("@")) return {};
    const tag = image.reference.slice(image.reference.lastIndexOf(":") + 1);
    if (tag.includes("/") || tag === image.reference || tag.length > 63 || !LABEL_VALUE.test(tag)) return {};
    return { "app.kubernetes.io/version": tag };
}
