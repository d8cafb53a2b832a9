/**
 * Container images: how a workload names the image it runs, when the kubelet pulls it, and with
 * which Secrets it may log in to the image's registry.
 */

/** Kubernetes' image pull policies. */
export const PULL_POLICIES = ["IfNotPresent", "Always", "Never"] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

/** An image as a container runs it. */
export interface ImageRef {
    /** Full reference: `repository:tag`, or `repository@sha256:...` for a pinned digest. */
    readonly reference: string;
    readonly pullPolicy: PullPolicy;
    /**
     * Names of the `kubernetes.io/dockerconfigjson` Secrets, in the pod's namespace, the kubelet may
     * log in to the image's registry with. Every pod that runs the image lists them in its
     * `imagePullSecrets` ({@link podImagePullSecrets}). Defaults to none (an anonymous pull).
     */
    readonly pullSecrets?: readonly string[];
}

/** The image reference for a repository and a tag or digest (`sha256:...`). */
export function imageReference(image: { readonly repository: string; readonly tag: string }): string {
    return image.tag.startsWith("sha256:") ? `${image.repository}@${image.tag}` : `${image.repository}:${image.tag}`;
}

/** Every name of the lists, in the order first seen, each once. */
export function unionOfNames(lists: readonly (readonly string[] | undefined)[]): string[] {
    return [...new Set(lists.flatMap((names) => names ?? []))];
}

/**
 * The image with the stack-wide pull secrets before its own: what a pod that runs it must list, so
 * a Secret for the whole installation reaches every pod without being repeated beside each image.
 */
export function withStackPullSecrets<I extends ImageRef>(image: I, stackWide: readonly string[]): I {
    return { ...image, pullSecrets: unionOfNames([stackWide, image.pullSecrets]) };
}

/**
 * A pod's `spec.imagePullSecrets`: the secrets of every image its containers and init containers
 * run (the union, in the order first seen, each once), or undefined when there are none, so that a
 * pod without any keeps the field unset. Each source is an image, or anything else that carries
 * pull secrets for containers it adds (a database's pod patch and its sidecar).
 */
export function podImagePullSecrets(
    sources: readonly ({ readonly pullSecrets?: readonly string[] } | undefined)[],
): { name: string }[] | undefined {
    const names = unionOfNames(sources.map((source) => source?.pullSecrets));
    return names.length > 0 ? names.map((name) => ({ name })) : undefined;
}
