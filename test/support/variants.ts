/**
 * The stack configurations whole-program checks (schema validation, pod security, shellcheck)
 * run over: every repository stack file as it is, plus variants that switch on the parts the
 * stack files leave off, so every object the program can create is covered.
 */
import type { ProgramRun } from "../../scripts/lib/mockEngine";
import type { StackConfig } from "../../scripts/lib/stackFile";
import { DEV_EXTRAS, run, runStack, stackConfig, withChanges } from "./harness";

/** Credentials set in the stack (as `pulumi config set --secret` would) instead of existing Secrets. */
export const IN_STACK_SECRETS = {
    values: {
        "matomo:geoipupdate": { existingSecret: null, accountId: "123456", licenseKey: "maxmind_license_key_1" },
        "matomo:postfix": { existingSecret: null, password: "smtp-relay-secret-1" },
    },
    secretKeys: ["matomo:geoipupdate", "matomo:postfix"],
};

/** The LDAP bind password of {@link ldapVariantConfig}. */
export const LDAP_BIND_PASSWORD = "ldap-bind-secret-1";

/** The dev stack with LDAP login and sync (on an image with the plugin) and every credential in the stack. */
export function ldapVariantConfig(): StackConfig {
    return withChanges(
        stackConfig(DEV_EXTRAS),
        {
            "matomo:matomo": { image: { repository: "registry.example.com/matomo-ldap", tag: "5.11.2-1" } },
            "matomo:ldap": {
                servers: [
                    {
                        name: "corp",
                        hostname: "ldaps://ldap.example.com",
                        baseDn: "ou=people,dc=example,dc=com",
                        adminUser: "cn=matomo,ou=services,dc=example,dc=com",
                        adminPassword: LDAP_BIND_PASSWORD,
                    },
                ],
            },
            "matomo:matomocronLdapSync": { purgeNonExistentUsers: true },
            "matomo:networkPolicy": { egressTo: { ldap: ["192.0.2.0/24"] } },
            ...IN_STACK_SECRETS.values,
        },
        ["matomo:ldap", ...IN_STACK_SECRETS.secretKeys],
    );
}

/**
 * {@link ldapVariantConfig} with the log import on as well: every CronJob the program can create
 * (MariaDB's backups included), with the maintenance switches given.
 */
export function everyCronJobConfig(maintenance: { readonly disableUi?: boolean; readonly disableTracking?: boolean }): StackConfig {
    return withChanges(ldapVariantConfig(), {
        "matomo:rsyncAnalytics": {
            sources: [{ siteId: 1, user: "logs", host: "10.0.0.5", path: "/var/log/apache2" }],
            ssh_known_hosts: "10.0.0.5 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJI9rtmAyXccU65ZvPZLFLa8C/Xk2mq2REKACNjUhWZA",
        },
        "matomo:logsHostLabels": { "kubernetes.io/hostname": "node-1" },
        "matomo:maintenance": { ...maintenance },
    });
}

let ldapRun: Promise<ProgramRun> | undefined;

/** {@link ldapVariantConfig}, run once per test process. */
export function LDAP_VARIANT(): Promise<ProgramRun> {
    ldapRun ??= run(ldapVariantConfig());
    return ldapRun;
}

/**
 * The stacks with every optional feature on (DESIGN.md §8), by variant name: whole-stack checks
 * run on them like on every variant, and test/feature-flows.test.ts checks their connections.
 */
export const EVERYTHING_ON = {
    "everything on, EEA": "test/fixtures/Pulumi.everything-on.yaml",
    "everything on, Google": "test/fixtures/Pulumi.everything-on-google.yaml",
} as const;

/** Each run once per test process, however many test files iterate over the variants. */
function once(runs: Record<string, () => Promise<ProgramRun>>): Record<string, () => Promise<ProgramRun>> {
    return Object.fromEntries(
        Object.entries(runs).map(([name, runVariant]) => {
            let result: Promise<ProgramRun> | undefined;
            return [name, () => (result ??= runVariant())];
        }),
    );
}

export const VARIANTS: Record<string, () => Promise<ProgramRun>> = once({
    dev: () => runStack("dev"),
    "dev with GeoIP and mail": () => runStack(DEV_EXTRAS),
    "dev, three replicas on shared storage": () =>
        run(withChanges(stackConfig("dev"), { "matomo:matomo": { replicaCount: 3, storageAccessMode: "ReadWriteMany" } })),
    "dev, plain HTTP, default ingress class, existing namespace": () =>
        run(
            withChanges(stackConfig("dev"), {
                "matomo:ingress": { tls: false, letsencrypt: "", className: "" },
                "matomo:createNamespace": "false",
            }),
        ),
    "dev with LDAP on a derived image, credentials in the stack": LDAP_VARIANT,
    "dev, php-fpm behind nginx": () =>
        run(
            withChanges(stackConfig("dev"), {
                "matomo:matomo": { image: { tag: "5.11.2-fpm" }, webServer: { variant: "fpm" } },
                // The fpm variant's exporter, with the Prometheus Operator form.
                "matomo:monitoring": { enabled: true },
            }),
        ),
    "dev with log import on a pinned ReadWriteOnce volume": () =>
        run(
            withChanges(stackConfig("dev"), {
                "matomo:rsyncAnalytics": {
                    sources: [{ siteId: 1, user: "logs", host: "10.0.0.5", path: "/var/log/apache2" }],
                    ssh_known_hosts: "10.0.0.5 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJI9rtmAyXccU65ZvPZLFLa8C/Xk2mq2REKACNjUhWZA",
                },
                "matomo:logsHostLabels": { "kubernetes.io/hostname": "node-1" },
            }),
        ),
    "dev with every CronJob, in maintenance (UI and tracking)": () => run(everyCronJobConfig({ disableUi: true, disableTracking: true })),
    prod: () => runStack("prod"),
    "prod, service-account key instead of Workload Identity": () =>
        run(withChanges(stackConfig("prod"), { "matomo:cloudsql": { identity: "serviceAccountKey" } }), { stack: "prod" }),
    ...Object.fromEntries(Object.entries(EVERYTHING_ON).map(([name, file]) => [name, () => run(stackConfig(file))])),
    "seed defaults": () => run({ values: { "matomo:matomo": JSON.stringify({ hostname: "analytics.example.com" }) }, secretKeys: [] }),
});
