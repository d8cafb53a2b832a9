/**
 * The log import as configured: the sources (structured, or read from the seed's commands), the
 * SSH material, the two jobs, and the rules that keep it from failing later: one source per site,
 * a known host key for every log host, a log volume both jobs can mount.
 */
import type { ContainerResources } from "../../../k8s/resources";
import type { ValueOf } from "../../schema/fields";
import { checkRequestsWithinLimits } from "../../schema/limits";
import type { Image } from "../../schema/parts";
import type { SecretValue } from "../../schema/secretValue";
import { fullKey, rawValue, report, writtenFields, type ResolveContext } from "../context";
import type { importKey, logImportKeys, rsyncKey } from "./index";
import { hasKnownHost, knownHostName, parseKnownHosts } from "./knownHosts";
import { parseRsyncCommand, shellCommands } from "./rsyncCommand";
import { rrsyncIssue, sourcePathWildcard, type SourceValue } from "./sources";

export type LogSource = SourceValue;

/** The log import, every default resolved. */
export interface LogImportConfig {
    readonly sources: readonly LogSource[];
    readonly fetch: {
        readonly image: Image;
        readonly schedule: string;
        readonly storage: string;
        readonly storageClassName?: string;
        readonly accessMode: "ReadWriteOnce" | "ReadWriteMany";
        /** A key pair given in the stack; generated when undefined. */
        readonly key?: { readonly privateKey: SecretValue; readonly publicKey: string };
        /** known_hosts; undefined only with host-key verification off. */
        readonly knownHosts?: string;
        readonly sshConfig?: string;
        readonly verifyHostKeys: boolean;
        readonly timeoutSeconds: number;
        readonly activeDeadlineSeconds: number;
        readonly resources: ContainerResources;
    };
    readonly importer: {
        readonly image: Image;
        readonly schedule: string;
        readonly resources: ContainerResources;
        readonly options: readonly string[];
        readonly maxAttempts: number;
        /** The Matomo user the program creates, unless `token` is given. */
        readonly login: string;
        /** `matomo.token`: used instead of the program's own user and token. */
        readonly token?: SecretValue;
        readonly activeDeadlineSeconds: number;
    };
    /** Node selector of both jobs. */
    readonly nodeLabels: Readonly<Record<string, string>>;
}

type Values = {
    readonly rsync: ValueOf<typeof rsyncKey>;
    readonly importer: ValueOf<typeof importKey>;
    readonly labels: ValueOf<(typeof logImportKeys)["logsHostLabels"]>;
    readonly token?: SecretValue;
};

/** The seed's commands as sources; each command that cannot be one is reported. */
function commandSources(rsync: Values["rsync"], ctx: ResolveContext): LogSource[] {
    if (rsync.rsyncCommands === undefined) return [];
    const key = "rsyncAnalytics.rsyncCommands";
    const commands = shellCommands(rsync.rsyncCommands);
    if (typeof commands === "string") {
        report(ctx, key, `${commands}; write the sources as matomo:rsyncAnalytics.sources`);
        return [];
    }
    const sources: LogSource[] = [];
    for (const [i, words] of commands.entries()) {
        const parsed = parseRsyncCommand(words);
        const which = commands.length > 1 ? `command ${i + 1} ` : "";
        if (typeof parsed === "string") {
            report(ctx, key, `${which}${parsed}`);
            continue;
        }
        if (parsed.insecureOptions.length > 0 && !rsync.insecureSkipHostKeyVerification) {
            report(
                ctx,
                key,
                `${which}turns host-key checking off (${parsed.insecureOptions.join(", ")}), which this program does not do: remove ` +
                    "those options and put the log host's key in matomo:rsyncAnalytics.ssh_known_hosts " +
                    `(\`ssh-keyscan -p ${parsed.port} ${parsed.host}\`)`,
            );
            continue;
        }
        const { siteId, user, host, port, path } = parsed;
        const wildcard = sourcePathWildcard(path);
        if (wildcard) {
            report(ctx, key, `${which}fetches ${JSON.stringify(path)}, but ${wildcard}, in matomo:rsyncAnalytics.sources`);
            continue;
        }
        sources.push({
            siteId,
            user,
            host,
            port,
            path,
            delete: parsed.delete,
            pattern: "access_log.*",
            skipNewest: true,
            settleMinutes: 5,
            rrsyncDir: undefined,
        });
    }
    return sources;
}

/** The SSH key pair given in the stack, if both halves are. */
function givenKey(rsync: Values["rsync"], ctx: ResolveContext): LogImportConfig["fetch"]["key"] {
    if (rsync.ssh_id_rsa !== undefined && rsync.ssh_id_rsa_pub === undefined) {
        report(
            ctx,
            "rsyncAnalytics.ssh_id_rsa_pub",
            "is required with ssh_id_rsa: it is the key the log hosts must accept, shown as logImport.publicKey",
        );
    }
    if (rsync.ssh_id_rsa === undefined && rsync.ssh_id_rsa_pub !== undefined) {
        report(ctx, "rsyncAnalytics.ssh_id_rsa_pub", "has no effect without ssh_id_rsa (a key pair is generated); remove it, or set both");
    }
    return rsync.ssh_id_rsa && rsync.ssh_id_rsa_pub ? { privateKey: rsync.ssh_id_rsa, publicKey: rsync.ssh_id_rsa_pub.trim() } : undefined;
}

/** Every source's log host needs a key in known_hosts, unless verification is knowingly off. */
function knownHostsIssues(rsync: Values["rsync"], sources: readonly LogSource[], ctx: ResolveContext): void {
    const key = "rsyncAnalytics.ssh_known_hosts";
    if (rsync.insecureSkipHostKeyVerification) {
        if (rsync.ssh_known_hosts !== undefined)
            report(ctx, key, "has no effect while insecureSkipHostKeyVerification is true; remove one of them");
        return;
    }
    const scan = (s: LogSource) => `ssh-keyscan${s.port === 22 ? "" : ` -p ${s.port}`} ${s.host}`;
    if (rsync.ssh_known_hosts === undefined) {
        report(
            ctx,
            key,
            `is required: host keys are always verified; set it to the output of ${sources.map(scan).join(" and ")}, checked against the host`,
        );
        return;
    }
    const hosts = parseKnownHosts(rsync.ssh_known_hosts);
    if (typeof hosts === "string") return report(ctx, key, hosts);
    sources.forEach((source, i) => {
        if (hasKnownHost(hosts, source.host, source.port)) return;
        // Named by its key, so that a problem of the source itself leaves this one out (index.ts).
        const where = i < rsync.sources.length ? `rsyncAnalytics.sources[${i}]` : "rsyncAnalytics.rsyncCommands";
        report(
            ctx,
            key,
            `has no key for ${knownHostName(source.host, source.port)} (${where}, site ${source.siteId}); add the output of \`${scan(source)}\``,
        );
    });
}

/** The log import when sources are configured; settings without sources are reported. */
export function resolveLogImport(values: Values, ctx: ResolveContext): LogImportConfig | undefined {
    const { rsync, importer } = values;
    const sources = [...rsync.sources, ...commandSources(rsync, ctx)];
    if (importer.image.repository.split("/").slice(-2).join("/") === "eeacms/matomo-log-analytics") {
        report(
            ctx,
            "matomoAnalytics.image.repository",
            `got ${importer.image.repository}, which brings its own import_logs.py (of another Matomo version) and its own bookkeeping; ` +
                "remove the key: the program runs the importer of the Matomo image under a plain Python image (python:3.13-slim)",
        );
    }
    if (sources.length === 0) {
        // Commands that could not be read are reported already; settings beside them are not the problem.
        if (rsync.rsyncCommands !== undefined || writtenFields(ctx, "rsyncAnalytics").includes("rsyncCommands")) return undefined;
        for (const name of ["rsyncAnalytics", "matomoAnalytics", "logsHostLabels"]) {
            if (rawValue(ctx, name) !== undefined)
                report(ctx, name, "has no effect without log sources; add matomo:rsyncAnalytics.sources (or remove it)");
        }
        if (values.token !== undefined)
            report(
                ctx,
                "matomo.token",
                "is the log importer's token, and no log sources are configured; remove it or add matomo:rsyncAnalytics.sources",
            );
        return undefined;
    }
    const seen = new Map<number, LogSource>();
    for (const source of sources) {
        const other = seen.get(source.siteId);
        if (other) {
            report(
                ctx,
                "rsyncAnalytics.sources",
                `site ${source.siteId} has two sources (${other.host} and ${source.host}): files of the same name would overwrite each other in /analytics/logs/${source.siteId}/; give each site one source`,
            );
        }
        seen.set(source.siteId, source);
    }
    rsync.sources.forEach((source, i) => {
        const issue = rrsyncIssue(source);
        if (issue) report(ctx, `rsyncAnalytics.sources[${i}].path`, `${JSON.stringify(source.path)} ${issue}`);
    });
    knownHostsIssues(rsync, sources, ctx);
    const key = givenKey(rsync, ctx);
    if (rsync.storageAccessMode === "ReadWriteOnce" && Object.keys(values.labels).length === 0) {
        report(
            ctx,
            "logsHostLabels",
            "is required with rsyncAnalytics.storageAccessMode ReadWriteOnce: the fetch and the import job share the volume, so they must run on the one node that holds it (e.g. `kubernetes.io/hostname: <node>`); or use ReadWriteMany",
        );
    }
    ctx.issues.push(
        ...checkRequestsWithinLimits(fullKey("rsyncAnalytics"), rsync.resources),
        ...checkRequestsWithinLimits(fullKey("matomoAnalytics"), importer.resources),
    );
    return {
        sources,
        fetch: {
            image: rsync.image,
            schedule: rsync.cronSchedule,
            storage: rsync.storage,
            storageClassName: rsync.storageClassName || undefined,
            accessMode: rsync.storageAccessMode,
            key,
            knownHosts: rsync.insecureSkipHostKeyVerification ? undefined : rsync.ssh_known_hosts,
            sshConfig: rsync.ssh_config,
            verifyHostKeys: !rsync.insecureSkipHostKeyVerification,
            timeoutSeconds: rsync.timeoutSeconds,
            activeDeadlineSeconds: rsync.activeDeadlineSeconds,
            resources: rsync.resources,
        },
        importer: {
            image: importer.image,
            schedule: importer.cronSchedule,
            resources: importer.resources,
            options: importer.options,
            maxAttempts: importer.maxAttempts,
            login: importer.login,
            token: values.token,
            activeDeadlineSeconds: importer.activeDeadlineSeconds,
        },
        nodeLabels: values.labels,
    };
}
