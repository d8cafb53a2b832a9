/**
 * The Postfix relay Matomo sends its mail through (scheduled reports, password resets, alerts):
 * a Deployment of `eeacms/postfix` that forwards to the configured SMTP server with a login, and
 * the `postfix` Service that Matomo's `[mail]` config points at. The seed chart deployed the relay
 * and never told Matomo about it.
 *
 * Matomo hands mail to the relay without a login over the cluster network, so a NetworkPolicy
 * admits only this installation's Matomo pods; the relay encrypts and authenticates towards the
 * SMTP server (`tlsSecurityLevel` defaults to `encrypt`: the image's own default, `may`, would send
 * the login in clear text to a server without TLS).
 *
 * Postfix's master process must start as root, which the Pod Security `restricted` level forbids;
 * the namespace is labelled `baseline` when the relay is on (see `namespaceFor`), and the
 * container drops every capability but the ones Postfix needs to switch users and bind port 25.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ImageRef } from "../k8s/image";
import type { InstallationArgs } from "../k8s/installation";
import { selectorLabels, standardLabels } from "../k8s/labels";
import { secretNameFor } from "../k8s/secrets";
import { toResourceRequirements, type ContainerResources } from "../k8s/resources";
import { baselineRootContainer } from "../k8s/security";

/** The SMTP port Matomo dials. */
export const RELAY_PORT = 25;

/** Key of the password in the relay's Secret (and in a Secret given as `postfix.existingSecret`). */
export const RELAY_PASSWORD_KEY = "password";

export interface MailRelayArgs extends InstallationArgs {
    /** The `eeacms/postfix` image. */
    readonly image: ImageRef;
    /** `TZ` of the relay (IANA name). */
    readonly timezone: string;
    /** Name the relay greets with (`myhostname`): the public hostname. */
    readonly hostname: string;
    /** The SMTP server mail is forwarded to. */
    readonly relay: string;
    /** Its port (587 for submission with STARTTLS). */
    readonly port: number;
    /** The login at that server. */
    readonly user: string;
    /** The password (a secret output), or the name of a Secret holding it under {@link RELAY_PASSWORD_KEY}. */
    readonly password: { readonly value: pulumi.Output<string> } | { readonly existingSecret: string };
    /** `SMTP_TLS_SECURITY_LEVEL` towards the SMTP server. */
    readonly tlsSecurityLevel: "encrypt" | "may" | "none";
    /** Requests and limits of the Postfix container. */
    readonly resources: ContainerResources;
    /** Name of the Service (an interface: Matomo's config.ini.php names it). */
    readonly serviceName: string;
    /** Labels of the pods allowed to send mail through the relay. */
    readonly clients: Readonly<Record<string, string>>;
}

/** The relay's pod (pure: what the Deployment runs). */
export function relayPodSpec(
    args: Pick<MailRelayArgs, "image" | "timezone" | "hostname" | "relay" | "port" | "user" | "tlsSecurityLevel" | "resources">,
    passwordSecret: pulumi.Input<string>,
): k8s.types.input.core.v1.PodSpec {
    const probe = (periodSeconds: number, failureThreshold: number) => ({
        tcpSocket: { port: "smtp" },
        periodSeconds,
        timeoutSeconds: 5,
        failureThreshold,
    });
    return {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: { seccompProfile: { type: "RuntimeDefault" } },
        terminationGracePeriodSeconds: 30,
        containers: [
            {
                name: "postfix",
                image: args.image.reference,
                imagePullPolicy: args.image.pullPolicy,
                env: [
                    { name: "TZ", value: args.timezone },
                    { name: "MTP_HOST", value: args.hostname },
                    { name: "MTP_RELAY", value: args.relay },
                    { name: "MTP_PORT", value: String(args.port) },
                    { name: "MTP_USER", value: args.user },
                    { name: "MTP_PASS", valueFrom: { secretKeyRef: { name: passwordSecret, key: RELAY_PASSWORD_KEY } } },
                    { name: "SMTP_TLS_SECURITY_LEVEL", value: args.tlsSecurityLevel },
                ],
                ports: [{ name: "smtp", containerPort: RELAY_PORT, protocol: "TCP" }],
                startupProbe: probe(5, 24),
                readinessProbe: probe(10, 3),
                livenessProbe: probe(20, 3),
                resources: toResourceRequirements(args.resources),
                // supervisord and Postfix's master start as root, write their config at start
                // and hand work to Postfix's unprivileged users.
                securityContext: baselineRootContainer([
                    "CHOWN",
                    "DAC_OVERRIDE",
                    "FOWNER",
                    "FSETID",
                    "KILL",
                    "NET_BIND_SERVICE",
                    "SETGID",
                    "SETUID",
                    "SYS_CHROOT",
                ]),
            },
        ],
    };
}

export class MailRelay extends pulumi.ComponentResource {
    /** In-cluster DNS name of the Service. */
    readonly serviceHost: pulumi.Output<string>;

    constructor(name: string, args: MailRelayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:MailRelay", name, {}, opts);
        const id = { name: "postfix", component: "mail", instance: args.instance };
        const labels = standardLabels(id);
        const selector = selectorLabels(id);

        const password = args.password;
        const passwordSecret = secretNameFor(
            `${name}-credentials`,
            "existingSecret" in password ? password : { stringData: { [RELAY_PASSWORD_KEY]: password.value } },
            { namespace: args.namespace, labels },
            { parent: this },
        );

        new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: { namespace: args.namespace, labels },
                spec: {
                    replicas: 1,
                    revisionHistoryLimit: 5,
                    selector: { matchLabels: selector },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                    template: { metadata: { labels }, spec: relayPodSpec(args, passwordSecret) },
                },
            },
            { parent: this },
        );
        const service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { name: args.serviceName, namespace: args.namespace, labels },
                spec: {
                    type: "ClusterIP",
                    selector,
                    ports: [{ name: "smtp", port: RELAY_PORT, targetPort: "smtp", protocol: "TCP" }],
                },
            },
            { parent: this },
        );
        new k8s.networking.v1.NetworkPolicy(
            `${name}-clients`,
            {
                metadata: { namespace: args.namespace, labels },
                spec: {
                    podSelector: { matchLabels: selector },
                    policyTypes: ["Ingress"],
                    ingress: [{ from: [{ podSelector: { matchLabels: args.clients } }], ports: [{ port: RELAY_PORT, protocol: "TCP" }] }],
                },
            },
            { parent: this },
        );

        this.serviceHost = pulumi.interpolate`${service.metadata.name}.${service.metadata.namespace}.svc`;
        this.registerOutputs({ serviceHost: this.serviceHost });
    }
}
