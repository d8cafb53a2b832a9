/**
 * Web-server log import: a CronJob fetches each site's logs from its log host with rsync over
 * verified SSH into a retained volume, and a second CronJob imports every complete file once with
 * Matomo's own importer, through the in-cluster Service (the token never crosses the ingress).
 *
 * Nothing is set up by hand: the SSH key pair is generated (its public key is an output for the
 * log host's authorized_keys), and the import job's first step creates the import user, its
 * token and its write access to exactly the configured sites on every run. The importer is
 * copied from the Matomo image, so it always matches Matomo's version, and runs under a plain
 * Python image; nothing is downloaded at run time.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { isIP } from "node:net";
import { egressOf, type Egress, type EgressFlow } from "../k8s/egress";
import { cronJobSpec, type ScheduledCronJob } from "../k8s/jobs";
import type { ImageRef } from "../k8s/image";
import { RUNS_THROUGH_MAINTENANCE, type WhileMaintenance } from "../k8s/maintenance";
import { selectorLabels, standardLabels, versionLabel } from "../k8s/labels";
import { databaseConnectionScript, grantImportUserScript } from "../matomo/scripts/database";
import { BACKOFF_LIMITS } from "./backoffLimits";
import type { LogImportArgs } from "./logImportArgs";
import { logImportPodSpec, logSyncPodSpec, SCRIPT_KEYS } from "./logImportPods";
import { logScriptSource, renderSourcesFile, type SyncSource } from "./scripts";

export type { LogImportArgs } from "./logImportArgs";

export class LogImport extends pulumi.ComponentResource {
    /** The public key to put into the log hosts' authorized_keys. */
    readonly publicKey: pulumi.Output<string>;
    readonly cronJobNames: pulumi.Output<string[]>;
    /** Both CronJobs with their schedules. */
    readonly scheduled: pulumi.Output<ScheduledCronJob[]>;
    /** The connections the fetch (to the log hosts) and the import (to the database) open out of the installation. */
    readonly egress: readonly EgressFlow[];

    constructor(name: string, args: LogImportArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:LogImport", name, {}, opts);
        const labels = (component: string) => standardLabels({ name: "matomo", component, instance: args.instance });
        const meta = (component: string) => ({ namespace: args.namespace, labels: labels(component) });

        const generated = args.fetch.key ? undefined : new tls.PrivateKey(`${name}-ssh-key`, { algorithm: "ED25519" }, { parent: this });
        const privateKey = args.fetch.key?.privateKey ?? generated!.privateKeyOpenssh;
        this.publicKey = pulumi.output(args.fetch.key?.publicKey ?? generated!.publicKeyOpenssh).apply((k) => k.trim());

        const claim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-logs`,
            {
                metadata: { ...meta("log-import"), name: "matomo-logs" },
                spec: {
                    accessModes: [args.storage.accessMode],
                    storageClassName: args.storage.storageClassName,
                    resources: { requests: { storage: args.storage.size } },
                },
            },
            // Like the other claims: removing it from the stack (or destroying the stack) leaves it.
            { parent: this, retainOnDelete: args.storage.retain },
        );

        const ssh = new k8s.core.v1.Secret(
            `${name}-ssh`,
            {
                metadata: meta("log-sync"),
                type: "Opaque",
                stringData: {
                    id_key: pulumi.secret(privateKey),
                    known_hosts: args.fetch.knownHosts ?? "",
                    ssh_config: args.fetch.sshConfig ?? "",
                },
            },
            { parent: this },
        );

        const credentials = args.importer.credentials;
        const token =
            "token" in credentials
                ? pulumi.secret(credentials.token)
                : // A RandomPassword's result is secret in the state too (a RandomId's id would show the bytes).
                  new random.RandomPassword(`${name}-token`, { length: 32, special: false, upper: false }, { parent: this }).result;
        const tokenSecret = new k8s.core.v1.Secret(
            `${name}-token`,
            {
                metadata: meta("log-import"),
                type: "Opaque",
                stringData: { token, ...("salt" in credentials ? { salt: pulumi.secret(credentials.salt) } : {}) },
            },
            { parent: this },
        );

        const scripts = {
            [SCRIPT_KEYS.sync]: logScriptSource("sync-logs.sh"),
            [SCRIPT_KEYS.import]: logScriptSource("import-logs.sh"),
            [SCRIPT_KEYS.importFile]: logScriptSource("import-file.sh"),
            [SCRIPT_KEYS.importHelper]: logScriptSource("import-helper.py"),
            [SCRIPT_KEYS.records]: logScriptSource("import-records.php"),
            [SCRIPT_KEYS.grant]: grantImportUserScript(),
            [SCRIPT_KEYS.connection]: databaseConnectionScript(),
            [SCRIPT_KEYS.sources]: renderSourcesFile(args.sources),
        };
        const scriptsMap = new k8s.core.v1.ConfigMap(`${name}-scripts`, { metadata: meta("log-import"), data: scripts }, { parent: this });
        // CronJob pods start fresh each run, so a changed file applies at the next run by itself.
        const names = {
            claim: claim.metadata.name,
            ssh: ssh.metadata.name,
            token: tokenSecret.metadata.name,
            scripts: scriptsMap.metadata.name,
        };

        const cronJob = (
            suffix: string,
            component: string,
            schedule: string,
            deadline: number,
            backoffLimit: number,
            whileMaintenance: WhileMaintenance,
            podSpec: k8s.types.input.core.v1.PodSpec,
            /** The Matomo image the pods belong to; none for the fetch, which runs rsync. */
            image?: ImageRef,
        ) => {
            // A fixed name: operators start a run with `kubectl create job --from=cronjob/<name>`.
            const cronJobName = `matomo-${component}`;
            return new k8s.batch.v1.CronJob(
                `${name}-${suffix}`,
                {
                    metadata: {
                        ...meta(component),
                        labels: { ...labels(component), ...(image ? versionLabel(image) : {}) },
                        name: cronJobName,
                    },
                    spec: cronJobSpec(
                        {
                            schedule,
                            timeZone: args.timezone,
                            activeDeadlineSeconds: deadline,
                            backoffLimit,
                            history: args.history,
                            whileMaintenance,
                        },
                        { ...labels(component), ...(image ? versionLabel(image) : {}) },
                        podSpec,
                        { cronJobName, switches: args.maintenance },
                        args.placement,
                    ),
                },
                { parent: this, dependsOn: [...args.database.dependencies] },
            );
        };
        const sync = cronJob(
            "sync",
            "log-sync",
            args.fetch.schedule,
            args.fetch.activeDeadlineSeconds,
            BACKOFF_LIMITS.logSync,
            // It only copies files from the log hosts onto the log volume, which keeps up with their
            // rotation during a long maintenance; the import picks the files up afterwards.
            RUNS_THROUGH_MAINTENANCE,
            logSyncPodSpec(args, names),
        );
        const imports = cronJob(
            "import",
            "log-import",
            args.importer.schedule,
            args.importer.activeDeadlineSeconds,
            BACKOFF_LIMITS.logImport,
            // Its first step writes the import user's grants into the database, and Matomo answers
            // the importer's API calls (UI in maintenance) or its hits (tracking off) with 503.
            { stopsFor: ["ui", "tracking"] },
            logImportPodSpec(args, names),
            args.image,
        );

        this.cronJobNames = pulumi.all([sync.metadata.name, imports.metadata.name]);
        this.scheduled = pulumi.all([sync.metadata.name, imports.metadata.name]).apply(([s, i]) => [
            { name: s, schedule: args.fetch.schedule },
            { name: i, schedule: args.importer.schedule },
        ]);
        const pods = (component: string) => selectorLabels({ name: "matomo", component, instance: args.instance });
        this.egress = [
            ...egressOf(pods("log-sync"), args.sources.map(logHostEgress)),
            ...egressOf(pods("log-import"), args.database.podPatch.egress),
        ];
        this.registerOutputs({ publicKey: this.publicKey, cronJobNames: this.cronJobNames });
    }
}

/** SSH to a log host: a host given as an address as itself, a name through the configured blocks. */
function logHostEgress(source: SyncSource, index: number): Egress {
    const family = isIP(source.host);
    return {
        name: `log-source-${index}`,
        to: family ? { cidrs: [`${source.host}/${family === 4 ? 32 : 128}`] } : { destination: "logSources" },
        ports: [source.port],
    };
}
