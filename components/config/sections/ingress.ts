/** `matomo:ingress`: the Ingress in front of Matomo, its TLS certificate and ingress-nginx settings. */
import { boolean, string, type ValueOf } from "../schema/fields";
import { object, record } from "../schema/structures";
import { checkAnnotationKey, checkNginxSize, checkOptionalDnsSubdomain, checkSeconds } from "../schema/validators";
import { report, type ResolveContext } from "./context";

/** The seed chart's ingress-nginx settings (its later, valid timeouts: ingress-nginx needs whole seconds). */
export const NGINX_DEFAULTS = {
    "proxy-body-size": "256m",
    "proxy-read-timeout": "1200",
    "proxy-send-timeout": "1200",
} as const;

export const ingressKey = object(
    {
        enabled: boolean({ doc: "Create the Ingress.", default: true }),
        className: string({
            doc: "IngressClass name; empty for the cluster's default class.",
            default: "nginx",
            check: checkOptionalDnsSubdomain,
        }),
        annotations: record(string({ doc: "Annotation value.", required: true, multiline: true }), {
            doc: "Extra annotations of the Ingress.",
            default: {},
            checkKey: checkAnnotationKey,
        }),
        letsencrypt: string({
            doc: "cert-manager ClusterIssuer that issues the TLS certificate (`cert-manager.io/cluster-issuer`); empty to manage the certificate Secret yourself.",
            default: "",
            check: checkOptionalDnsSubdomain,
        }),
        tls: boolean({
            doc: "Serve HTTPS: a TLS section for the hostname, and Matomo configured for TLS ending at the ingress.",
            default: true,
        }),
        certificate: string({
            doc: "Name of the TLS Secret; empty for `<hostname>-tls`.",
            default: "",
            check: checkOptionalDnsSubdomain,
        }),
        configuration: object(
            {
                "proxy-body-size": string({
                    doc: "ingress-nginx request body limit (bulk tracking, log import).",
                    default: NGINX_DEFAULTS["proxy-body-size"],
                    check: checkNginxSize,
                }),
                "proxy-read-timeout": string({
                    doc: "ingress-nginx read timeout in seconds (slow reports).",
                    default: NGINX_DEFAULTS["proxy-read-timeout"],
                    check: checkSeconds,
                }),
                "proxy-send-timeout": string({
                    doc: "ingress-nginx send timeout in seconds.",
                    default: NGINX_DEFAULTS["proxy-send-timeout"],
                    check: checkSeconds,
                }),
            },
            {
                doc: "ingress-nginx settings, written as `nginx.ingress.kubernetes.io/*` annotations (with className `nginx`, or empty for the cluster's default class).",
            },
        ),
    },
    {
        doc: "The Ingress in front of Matomo.",
        switches: {
            enabled: {
                governs: ["className", "annotations", "letsencrypt", "certificate", "configuration"],
                off: "the stack creates no Ingress",
            },
            tls: {
                governs: ["letsencrypt", "certificate"],
                off: "the Ingress has no TLS section, so cert-manager issues no certificate and no TLS Secret is served",
            },
        },
    },
);

/** The Ingress, every default resolved. */
export interface IngressConfig {
    readonly enabled: boolean;
    /** IngressClass; undefined for the cluster's default class. */
    readonly className?: string;
    readonly annotations: Readonly<Record<string, string>>;
    /** cert-manager ClusterIssuer; undefined when the certificate Secret is managed elsewhere. */
    readonly clusterIssuer?: string;
    /** HTTPS with TLS ending at the ingress. */
    readonly tls: boolean;
    /** TLS Secret name, `<hostname>-tls` unless configured. */
    readonly certificate: string;
    /** ingress-nginx settings (`nginx.ingress.kubernetes.io/<key>`); empty for another class. */
    readonly nginx: Readonly<Record<string, string>>;
}

/**
 * Whether the API server reads `host` as an IPv4 address, as Kubernetes' Ingress validation does
 * (netutils.ParseIPSloppy: four decimal parts up to 255, leading zeros allowed). An IPv6 address is
 * no DNS subdomain, which matomo.hostname already is.
 */
export function isIpv4Address(host: string): boolean {
    const parts = host.split(".");
    return parts.length === 4 && parts.every((part) => /^[0-9]+$/.test(part) && Number(part) <= 255);
}

/** The annotations that ask cert-manager's ingress-shim for a certificate of the Ingress's TLS section. */
const CERT_MANAGER_ANNOTATIONS = ["cert-manager.io/cluster-issuer", "cert-manager.io/issuer", "kubernetes.io/tls-acme"];

/** cert-manager annotations written by hand: without TLS they issue nothing; beside letsencrypt they override it. */
function certManagerAnnotationIssues(value: ValueOf<typeof ingressKey>, ctx: ResolveContext): void {
    for (const key of Object.keys(value.annotations).filter((k) => CERT_MANAGER_ANNOTATIONS.includes(k))) {
        if (!value.tls) {
            report(
                ctx,
                `ingress.annotations.${key}`,
                "asks cert-manager for a certificate, but ingress.tls is false: the Ingress has no TLS section, so nothing is issued " +
                    "and Matomo is served over plain HTTP; set tls to true, or remove it",
            );
        } else if (value.letsencrypt !== "") {
            report(
                ctx,
                `ingress.annotations.${key}`,
                `names an issuer beside ingress.letsencrypt ("${value.letsencrypt}"), and the annotation would win; name the issuer in one place, ingress.letsencrypt`,
            );
        }
    }
}

function sameSettings(a: Readonly<Record<string, string>>, b: Readonly<Record<string, unknown>>): boolean {
    return Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
}

/**
 * The Ingress for `hostname`. The nginx settings apply with className `nginx` and with the
 * cluster's default class (`""`, the seed chart's value), which is often ingress-nginx and ignores
 * them otherwise; changed for another named class, they have no effect and are reported.
 */
export function resolveIngress(value: ValueOf<typeof ingressKey>, hostname: string, ctx: ResolveContext): IngressConfig {
    if (value.enabled && isIpv4Address(hostname)) {
        report(
            ctx,
            "matomo.hostname",
            `got "${hostname}", an IP address, which the API server refuses as an Ingress host ("must be a DNS name, not an IP address"); ` +
                "use a DNS name that points at the ingress controller, or set ingress.enabled to false and route to the Service yourself",
        );
    }
    if (value.enabled) certManagerAnnotationIssues(value, ctx);
    let nginx: Readonly<Record<string, string>> = value.configuration;
    if (value.className !== "nginx" && value.className !== "") {
        if (!sameSettings(nginx, NGINX_DEFAULTS)) {
            report(
                ctx,
                "ingress.configuration",
                `holds ingress-nginx settings, which have no effect with className "${value.className}"; remove them or use className "nginx"`,
            );
        }
        nginx = {};
    }
    return {
        enabled: value.enabled,
        className: value.className || undefined,
        annotations: value.annotations,
        clusterIssuer: value.letsencrypt || undefined,
        tls: value.tls,
        certificate: value.certificate || `${hostname}-tls`,
        nginx,
    };
}
