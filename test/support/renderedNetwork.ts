/**
 * A render's NetworkPolicies and pods as the policy evaluator (./networkPolicy.ts) takes them, and
 * the peers outside the installation that the network tests connect from and to.
 */
import type { CapturedResource, ProgramRun } from "../../scripts/lib/mockEngine";
import { all, podLabelsOf, podSpecOf } from "./harness";
import type { Endpoint, Policy } from "./networkPolicy";

export type PodEndpoint = Extract<Endpoint, { namespace: string }>;

/** The ingress controller's pods (the default `networkPolicy.ingressFrom`). */
export const INGRESS_NGINX: PodEndpoint = { namespace: "ingress-nginx", labels: { "app.kubernetes.io/name": "ingress-nginx" } };
/** A pod of another team's namespace. */
export const STRANGER: PodEndpoint = { namespace: "other-team", labels: { app: "curious" } };
/** The cluster's DNS pods. */
export const DNS: PodEndpoint = { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } };
/** An address on the internet that no stack names. */
export const INTERNET: Endpoint = { ip: "203.0.113.7" };

/** The rendered NetworkPolicies. */
export function policiesOf(r: ProgramRun): Policy[] {
    return all(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => ({
        namespace: p.inputs.metadata.namespace as string,
        spec: p.inputs.spec,
    }));
}

/** A workload's pods: their namespace, labels and named container ports. */
export function podOf(workload: CapturedResource): PodEndpoint {
    const spec = podSpecOf(workload);
    const ports = [...(spec.initContainers ?? []), ...spec.containers].flatMap(
        (c) => (c.ports ?? []) as { name?: string; containerPort: number }[],
    );
    return {
        namespace: workload.inputs.metadata.namespace as string,
        labels: podLabelsOf(workload),
        ports: Object.fromEntries(ports.filter((p) => p.name).map((p) => [p.name!, p.containerPort])),
    };
}
