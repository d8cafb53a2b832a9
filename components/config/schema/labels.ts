/**
 * Kubernetes label and annotation rules beside their syntax (validators.ts), as the API server
 * checks them: a value the stack would send and the server refuse is reported at config time.
 */
import { checkDnsSubdomain } from "./validators";

/** A PriorityClass name: a DNS subdomain, or empty for none. */
export function checkPriorityClassName(value: string): string | undefined {
    if (value === "") return undefined;
    return checkDnsSubdomain(value) === undefined
        ? undefined
        : "expected the name of a PriorityClass (a DNS subdomain such as high-priority)";
}

/** The API server's limit on the total size of an object's annotations (keys and values). */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** Bytes of a set of annotations as the API server counts them: each key's and value's length. */
export function annotationsBytes(annotations: Readonly<Record<string, string>>): number {
    return Object.entries(annotations).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}
