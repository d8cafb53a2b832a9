/**
 * The optional workloads beside the Matomo tier, each created only when its config turns it on:
 * the GeoIP updater (MaxMind credentials set) and the mail relay (`postfix.relay` set).
 */
import * as pulumi from "@pulumi/pulumi";
import type { SecretValue } from "../components/config";
import { imageReference } from "../components/k8s/image";
import { GeoIpUpdate } from "../components/jobs/geoip";
import { selectorLabels } from "../components/k8s/labels";
import { MailRelay } from "../components/mail/relay";
import { webIdentity } from "../components/matomo/web";
import type { StackContext } from "./context";

/** A credential from config as a secret output, or the name of a Secret managed elsewhere. */
function secretOrExisting<K extends string>(
    source: Readonly<Record<K, SecretValue>> | { readonly existingSecret: string },
    keys: readonly K[],
): Record<K, pulumi.Output<string>> | { existingSecret: string } {
    if ("existingSecret" in source) return { existingSecret: source.existingSecret };
    const values = source as Readonly<Record<K, SecretValue>>;
    return Object.fromEntries(keys.map((k) => [k, pulumi.secret(values[k].reveal())])) as Record<K, pulumi.Output<string>>;
}

/** MaxMind's geoipupdate writing into Matomo's misc/ claim; undefined without credentials. */
export function geoipUpdateFor(ctx: StackContext, miscClaimName: pulumi.Input<string>): GeoIpUpdate | undefined {
    const { cfg, instance, namespace } = ctx;
    const geoip = cfg.geoip;
    if (!geoip) return undefined;
    return new GeoIpUpdate("geoipupdate", {
        namespace,
        instance,
        image: imageReference(geoip.image),
        imagePullPolicy: geoip.image.pullPolicy,
        timezone: cfg.timezone,
        credentials: secretOrExisting(geoip.credentials, ["accountId", "licenseKey"]),
        editionIds: geoip.environment.GEOIPUPDATE_EDITION_IDS,
        verbose: geoip.environment.GEOIPUPDATE_VERBOSE,
        schedule: geoip.cronSchedule,
        resources: geoip.resources,
        jobs: cfg.jobs,
        miscClaimName,
        // A ReadWriteOnce claim mounts on one node only: the web pod's.
        colocateWith: cfg.matomo.storageAccessMode === "ReadWriteOnce" ? selectorLabels(webIdentity(instance)) : undefined,
    });
}

/** The Postfix relay behind the Service `serviceName`; undefined without `postfix.relay`. */
export function mailRelayFor(ctx: StackContext, serviceName: string): MailRelay | undefined {
    const { cfg, instance, namespace } = ctx;
    const mail = cfg.mail;
    if (!mail) return undefined;
    return new MailRelay("postfix", {
        namespace,
        instance,
        image: imageReference(mail.image),
        imagePullPolicy: mail.image.pullPolicy,
        timezone: cfg.timezone,
        hostname: cfg.matomo.hostname,
        relay: mail.relay,
        port: mail.port,
        user: mail.user,
        password: secretOrExisting(mail.password, ["value"]),
        tlsSecurityLevel: mail.tlsSecurityLevel,
        resources: mail.resources,
        serviceName,
        // Only this installation's Matomo pods may send mail through the relay.
        clients: { "app.kubernetes.io/name": "matomo", "app.kubernetes.io/instance": instance },
    });
}
