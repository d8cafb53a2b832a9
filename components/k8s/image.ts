/** Container images: how a workload names the image it runs and when the kubelet pulls it. */

/** Kubernetes' image pull policies. */
export const PULL_POLICIES = ["IfNotPresent", "Always", "Never"] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

/** An image as a container runs it. */
export interface ImageRef {
    /** Full reference: `repository:tag`, or `repository@sha256:...` for a pinned digest. */
    readonly reference: string;
    readonly pullPolicy: PullPolicy;
}

/** The image reference for a repository and a tag or digest (`sha256:...`). */
export function imageReference(image: { readonly repository: string; readonly tag: string }): string {
    return image.tag.startsWith("sha256:") ? `${image.repository}@${image.tag}` : `${image.repository}:${image.tag}`;
}
