/**
 * The web tier's metrics: the server's own status page, served inside the pod only, and an
 * exporter sidecar that reads it there and offers Prometheus metrics on a named port.
 *
 * - Apache (prefork): `mod_status` (which the official image's Debian Apache loads) on a
 *   virtual host of its own that listens on 127.0.0.1 alone; every other address and port refuses
 *   `/server-status`. The Prometheus community's apache_exporter reads it.
 * - php-fpm: the pool's status page on a listener of its own on 127.0.0.1 (`pm.status_listen`), so
 *   the exporter still gets an answer when every worker is busy (the moment the numbers matter);
 *   nginx passes only PHP files to php-fpm, never `/status`. hipages' php-fpm_exporter reads it
 *   over FastCGI.
 *
 * Neither status page is reachable from outside the pod: neither the Service nor the Ingress
 * route the metrics port, and the NetworkPolicies open it to the scraper's namespace only.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { ImageRef } from "../k8s/image";
import type { ContainerResources } from "../k8s/resources";
import { toResourceRequirements } from "../k8s/resources";
import { restrictedContainer } from "../k8s/security";

/** The name of the exporter's container port: what the monitor objects and NetworkPolicies name. */
export const METRICS_PORT_NAME = "metrics";
/** Apache's status page: its address (127.0.0.1 only) and path. */
export const APACHE_STATUS = { address: "127.0.0.1:8081", path: "/server-status" } as const;
/** php-fpm's status page: the listener of its own (127.0.0.1 only) and path. */
export const FPM_STATUS = { address: "127.0.0.1:9001", path: "/status" } as const;

/** Each exporter: its container name, its metrics port (the exporter's usual one) and its arguments. */
export const WEB_EXPORTERS = {
    apache: {
        name: "apache-exporter",
        port: 9117,
        args: [`--scrape_uri=http://${APACHE_STATUS.address}${APACHE_STATUS.path}?auto`, "--web.listen-address=:9117"],
    },
    // The image's entrypoint is `php-fpm_exporter server`: these are the server's flags.
    fpm: {
        name: "php-fpm-exporter",
        port: 9253,
        args: [`--phpfpm.scrape-uri=tcp://${FPM_STATUS.address}${FPM_STATUS.path}`, "--web.listen-address=:9253"],
    },
} as const;

/** The exporter sidecar of the web pods. */
export interface WebMetricsArgs {
    readonly image: ImageRef;
    readonly resources: ContainerResources;
}

/**
 * Apache's status page on 127.0.0.1 only (lines of the rendered `apache.conf`). An image without
 * mod_status stops Apache at start with the reason, instead of the exporter failing every scrape. The server-wide
 * rule refuses `/server-status` on every other virtual host and port (Debian's own `status.conf`
 * would answer requests from 127.0.0.1 on port 80 too); the virtual host's rule, applied after it,
 * serves it on its own address.
 */
export function renderApacheStatus(): string[] {
    return [
        "# The status page for the metrics exporter beside Apache in the pod: on 127.0.0.1 alone (docs/monitoring.md).",
        "<IfModule !status_module>",
        '    Error "mod_status is not loaded, and the metrics exporter reads its status page: enable it in the image (a2enmod status) or switch matomo:monitoring off"',
        "</IfModule>",
        "ExtendedStatus On",
        `<Location "${APACHE_STATUS.path}">`,
        "    Require all denied",
        "</Location>",
        `Listen ${APACHE_STATUS.address}`,
        `<VirtualHost ${APACHE_STATUS.address}>`,
        `    <Location "${APACHE_STATUS.path}">`,
        "        SetHandler server-status",
        "        Require local",
        "    </Location>",
        "</VirtualHost>",
    ];
}

/** php-fpm's status page on a listener of its own on 127.0.0.1 (lines of the rendered pool). */
export function renderFpmStatus(): string[] {
    return [
        "; The status page for the metrics exporter beside php-fpm in the pod: its own listener on 127.0.0.1,",
        "; which answers while every worker is busy (docs/monitoring.md).",
        `pm.status_path = ${FPM_STATUS.path}`,
        `pm.status_listen = ${FPM_STATUS.address}`,
    ];
}

/** The exporter sidecar for the variant: sized, probed on its port, restricted like every container. */
export function webExporterContainer(variant: "apache" | "fpm", args: WebMetricsArgs): k8s.types.input.core.v1.Container {
    const exporter = WEB_EXPORTERS[variant];
    const listening = { tcpSocket: { port: METRICS_PORT_NAME } };
    return {
        name: exporter.name,
        image: args.image.reference,
        imagePullPolicy: args.image.pullPolicy,
        args: [...exporter.args],
        ports: [{ name: METRICS_PORT_NAME, containerPort: exporter.port, protocol: "TCP" }],
        readinessProbe: { ...listening, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        livenessProbe: { ...listening, initialDelaySeconds: 10, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
        resources: toResourceRequirements(args.resources),
        securityContext: restrictedContainer(),
    };
}
