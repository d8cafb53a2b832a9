/**
 * Pod hygiene rules that the project promises for every workload, beyond Pod Security:
 *
 * - `container-resources`: requests (CPU and memory) and a memory limit on every container. The
 *   scheduler places pods by their requests and the capacity report (`npm run render -- --format
 *   capacity`) adds them up; a container without requests is invisible to both, and one without a
 *   memory limit can take the node's memory until the kernel kills a neighbour (the database).
 * - `image-pinned`: every image names a tag other than `latest`, or a digest. With `latest` (or no
 *   tag, which means `latest`), a pod restarted next month runs other code than the one reviewed,
 *   the web pods of one Deployment may run different Matomo versions against one database schema,
 *   and a rollback cannot go back.
 * - `service-account-token-off`: no pod mounts a service-account token. Nothing in this program
 *   talks to the Kubernetes API, so the token would only serve an attacker who got code execution
 *   in Matomo (a PHP application exposed to the internet) to explore or change the cluster.
 * - `read-only-root-filesystem`: every container and init container sets
 *   `readOnlyRootFilesystem: true`. Pod Security `restricted` does not ask for it, so
 *   `pod-security-restricted` cannot; the project promises it on top (docs/security.md). With a
 *   writable root filesystem, code that got in through Matomo can replace the image's PHP files,
 *   binaries or configuration for as long as the container lives; each pod writes only to the
 *   volumes it mounts (the webroot copy, `/tmp`, the data).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { eachKnown, known, record, shown, text, validateTypes, violation } from "./common";
import { checkPods, containersOf, makesPods, type PodSpec } from "./workloads";

/** Whether a quantity is missing. */
const absent = (quantity: unknown) => quantity === undefined || quantity === null || quantity === "";

/** Missing requests or memory limit of the pod's containers. */
export function resourceViolations(pod: PodSpec): string[] {
    return eachKnown(containersOf(pod), ({ container, field }) => {
        const resources = record(container.resources);
        const requests = record(resources.requests);
        const limits = record(resources.limits);
        const found: string[] = [];
        for (const key of ["cpu", "memory"]) {
            if (known(() => absent(requests[key]), false)) {
                found.push(
                    violation(
                        `${field}.resources.requests.${key}`,
                        "not set",
                        `request the ${key} the container needs, so the scheduler reserves it`,
                    ),
                );
            }
        }
        if (known(() => absent(limits.memory), false)) {
            found.push(
                violation(
                    `${field}.resources.limits.memory`,
                    "not set",
                    "set a memory limit, so that a leak ends this container, not its neighbours",
                ),
            );
        }
        return found;
    });
}

/** A digest that pins an image's content. */
const DIGEST = /@sha256:[a-f0-9]{64}$/;

/** The tag of an image reference (`registry:5000/repo:tag` -> `tag`), undefined when it has none. */
export function imageTag(image: string): string | undefined {
    const name = image.replace(/@.*$/, "");
    const lastPart = name.slice(name.lastIndexOf("/") + 1);
    const colon = lastPart.indexOf(":");
    return colon === -1 ? undefined : lastPart.slice(colon + 1);
}

/** Images of the pod that are not pinned to a tag (other than latest) or a digest. */
export function imageViolations(pod: PodSpec): string[] {
    return eachKnown(containersOf(pod), ({ container, field }) => {
        const image = text(container.image);
        if (image !== undefined && DIGEST.test(image)) return [];
        const tag = image === undefined ? undefined : imageTag(image);
        if (tag !== undefined && tag !== "" && tag !== "latest") return [];
        const fix = "name a release tag (matomo:5.11.2) or a digest (@sha256:...), so every pod runs the reviewed image";
        return [violation(`${field}.image`, shown(image), fix)];
    });
}

/** A pod spec that lets the service-account token be mounted. */
export function serviceAccountTokenViolations(pod: PodSpec): string[] {
    const automount = pod.automountServiceAccountToken;
    if (automount === false) return [];
    return [violation("automountServiceAccountToken", shown(automount), "set it to false; no pod of this program uses the Kubernetes API")];
}

/** Containers of the pod whose root filesystem is writable (`readOnlyRootFilesystem` not true). */
export function readOnlyRootViolations(pod: PodSpec): string[] {
    return eachKnown(containersOf(pod), ({ container, field }) => {
        const readOnly = record(container.securityContext).readOnlyRootFilesystem;
        if (readOnly === true) return [];
        const fix =
            "set it to true and mount an emptyDir where the container must write; code that got in cannot then change the image's files";
        return [violation(`${field}.securityContext.readOnlyRootFilesystem`, shown(readOnly), fix)];
    });
}

export const containerResources: ResourceValidationPolicy = {
    name: "container-resources",
    description: "Every container and init container requests CPU and memory and has a memory limit.",
    severity: "medium",
    validateResource: validateTypes(makesPods, (type, props) => checkPods(type, props, resourceViolations)),
};

export const imagePinned: ResourceValidationPolicy = {
    name: "image-pinned",
    description: "Every container image names a tag other than latest, or a sha256 digest.",
    severity: "medium",
    validateResource: validateTypes(makesPods, (type, props) => checkPods(type, props, imageViolations)),
};

export const serviceAccountTokenOff: ResourceValidationPolicy = {
    name: "service-account-token-off",
    description: "Every pod template sets automountServiceAccountToken: false.",
    severity: "medium",
    validateResource: validateTypes(makesPods, (type, props) => checkPods(type, props, serviceAccountTokenViolations)),
};

export const readOnlyRootFilesystem: ResourceValidationPolicy = {
    name: "read-only-root-filesystem",
    description: "Every container and init container sets securityContext.readOnlyRootFilesystem: true.",
    severity: "medium",
    validateResource: validateTypes(makesPods, (type, props) => checkPods(type, props, readOnlyRootViolations)),
};
