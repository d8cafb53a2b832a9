/**
 * The stack configurations whole-program checks (schema validation, pod security, shellcheck)
 * run over: every repository stack file as it is, plus variants that switch on the parts the
 * stack files leave off, so every object the program can create is covered (`npm run test:unit`:
 * fewer, see UNIT_VARIANTS).
 */
import type { ProgramRun } from "../../scripts/lib/mockEngine";
import type { StackConfig } from "../../scripts/lib/stackFile";
import { DEV_EXTRAS, run, runStack, stackConfig, withChanges } from "./harness";
import { unitMode } from "./unitMode";

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
    "everything on, external database": "test/fixtures/Pulumi.everything-on-external.yaml",
} as const;

/** The example stack of topology external (docs/topologies.md): a database server run elsewhere, over TLS, with backups. */
export const EXTERNAL_EXAMPLE = "docs/examples/Pulumi.external.yaml";
export const EXTERNAL_EXAMPLE_VARIANT = "external database (docs example)";

/**
 * The variants `npm run test:unit` iterates over: the repository's stack files as they are and the
 * everything-on stacks (every topology, every optional feature). Rendering every variant in each
 * of its two worker processes would cost it a third of its time; `npm test` iterates over all.
 */
const UNIT_VARIANTS = new Set<string>(["dev", "prod", ...Object.keys(EVERYTHING_ON)]);

/**
 * Each run once per test process, however many test files iterate over the variants. Under
 * `npm run test:unit`, a variant outside {@link UNIT_VARIANTS} is left out of iteration
 * (`Object.entries` and the like) but stays reachable by name.
 */
function once(runs: Record<string, () => Promise<ProgramRun>>): Record<string, () => Promise<ProgramRun>> {
    const variants: Record<string, () => Promise<ProgramRun>> = {};
    for (const [name, runVariant] of Object.entries(runs)) {
        let result: Promise<ProgramRun> | undefined;
        const enumerable = !unitMode() || UNIT_VARIANTS.has(name);
        Object.defineProperty(variants, name, { value: () => (result ??= runVariant()), enumerable });
    }
    return variants;
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
    [EXTERNAL_EXAMPLE_VARIANT]: () => run(stackConfig(EXTERNAL_EXAMPLE)),
    "seed defaults": () => run({ values: { "matomo:matomo": JSON.stringify({ hostname: "analytics.example.com" }) }, secretKeys: [] }),
});

/** Every variant, also under `npm run test:unit`: for a check that needs all of them at once. */
export function everyVariant(): (() => Promise<ProgramRun>)[] {
    return Object.getOwnPropertyNames(VARIANTS).map((name) => VARIANTS[name]);
}
