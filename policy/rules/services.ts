/**
 * `no-exposed-services`: no Service of type LoadBalancer or NodePort, and none with external IPs.
 *
 * The program exposes Matomo only through an Ingress (TLS, one hostname); everything else (the
 * database, the mail relay, the PHP-FPM port) is for pods of the namespace. The Helm chart this
 * program replaces published MariaDB's port 3306 on a LoadBalancer, i.e. on the internet, guarded
 * only by a password. A NodePort does the same on every node's address, and `externalIPs` makes
 * every node answer for an address of the operator's choosing (CVE-2020-8554).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known, list, record, shown, validateTypes, violation } from "./common";

/** Service types that publish a port outside the cluster. */
const EXPOSED_TYPES = new Set(["LoadBalancer", "NodePort"]);

/** Problems with a Service's exposure. */
export function serviceViolations(props: Readonly<Record<string, unknown>>): string[] {
    const spec = known(() => record(props.spec), {});
    const problems: string[] = [];
    const type = known(() => spec.type, undefined);
    if (typeof type === "string" && EXPOSED_TYPES.has(type)) {
        const fix = "use ClusterIP (the default) and publish HTTP through the Ingress; keep every other port inside the cluster";
        problems.push(violation("spec.type", shown(type), fix));
    }
    const externalIPs = known(() => list(spec.externalIPs), []);
    if (externalIPs.length > 0) {
        problems.push(violation("spec.externalIPs", shown(externalIPs), "remove them; publish HTTP through the Ingress"));
    }
    return problems;
}

export const noExposedServices: ResourceValidationPolicy = {
    name: "no-exposed-services",
    description: "No Service of type LoadBalancer or NodePort, or with externalIPs: Matomo is reached through the Ingress only.",
    severity: "high",
    validateResource: validateTypes(new Set(["kubernetes:core/v1:Service"]), (_type, props) => serviceViolations(props)),
};
