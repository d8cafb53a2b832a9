/**
 * Checks for Google Cloud values in the `matomo:cloudsql` config: project IDs, regions, Cloud SQL
 * instance names, connection names, machine tiers, database flags. Each returns undefined when the
 * value is fine, or a reason that says what is allowed.
 */

/** A project ID: 6-30 lower-case letters, digits and hyphens, starting with a letter. */
export function checkProjectId(value: string): string | undefined {
    return /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(value)
        ? undefined
        : "expected a Google Cloud project ID: 6-30 lower-case letters, digits or '-', starting with a letter";
}

/** A region such as `europe-west1` or `us-central1` (a zone such as `europe-west1-b` is refused). */
export function checkRegion(value: string): string | undefined {
    if (/^[a-z]+(-[a-z]+)+\d+-[a-z]$/.test(value)) return "expected a region such as europe-west1, not a zone";
    return /^[a-z]+(-[a-z]+)+\d+$/.test(value) ? undefined : "expected a Google Cloud region such as europe-west1";
}

/** A Cloud SQL instance name: lower-case letters, digits and hyphens, starting with a letter. */
export function checkInstanceName(value: string): string | undefined {
    return /^[a-z]([a-z0-9-]{0,78}[a-z0-9])?$/.test(value)
        ? undefined
        : "expected a Cloud SQL instance name: lower-case letters, digits and '-', starting with a letter, at most 80 characters";
}

/** The parts of a connection name `project:region:instance`. */
export interface ConnectionName {
    readonly project: string;
    readonly region: string;
    readonly instance: string;
}

export function parseConnectionName(value: string): ConnectionName | undefined {
    const parts = value.split(":");
    if (parts.length !== 3) return undefined;
    const [project, region, instance] = parts;
    if (checkProjectId(project) || checkRegion(region) || checkInstanceName(instance)) return undefined;
    return { project, region, instance };
}

export function checkConnectionName(value: string): string | undefined {
    return parseConnectionName(value)
        ? undefined
        : "expected an instance connection name project:region:instance, e.g. my-project:europe-west1:matomo";
}

/** A VPC network, as `projects/<project>/global/networks/<name>` or its full self link. */
export function checkNetwork(value: string): string | undefined {
    return /^(https:\/\/www\.googleapis\.com\/compute\/v1\/)?projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/global\/networks\/[a-z]([-a-z0-9]*[a-z0-9])?$/.test(
        value,
    )
        ? undefined
        : "expected a VPC network such as projects/my-project/global/networks/my-vpc";
}

/** A Google service account ID (the part of the e-mail before `@`): 6-30 characters. */
export function checkServiceAccountId(value: string): string | undefined {
    return /^[a-z]([-a-z0-9]{4,28}[a-z0-9])$/.test(value)
        ? undefined
        : "expected 6-30 lower-case letters, digits or '-', starting with a letter and not ending with '-'";
}

/** What a machine tier offers. */
export interface Tier {
    readonly edition: "ENTERPRISE" | "ENTERPRISE_PLUS";
    /** Shared-core tiers have no SLA and are meant for development. */
    readonly sharedCore: boolean;
}

const PERF_OPTIMIZED_CPUS = new Set([2, 4, 8, 16, 32, 48, 64, 80, 96, 128]);

/**
 * The edition a Cloud SQL for MySQL tier belongs to, or a reason why the text is not a valid tier.
 * Custom machine types follow Cloud SQL's rules: 1 or an even number of vCPUs up to 96, memory in
 * multiples of 256 MB, between 0.9 and 6.5 GB per vCPU and at least 3840 MB.
 */
export function parseTier(value: string): Tier | string {
    if (value === "db-f1-micro" || value === "db-g1-small") return { edition: "ENTERPRISE", sharedCore: true };
    const legacy = /^db-n1-(standard|highmem)-(\d+)$/.exec(value);
    if (legacy) {
        return [1, 2, 4, 8, 16, 32, 64, 96].includes(Number(legacy[2]))
            ? { edition: "ENTERPRISE", sharedCore: false }
            : "db-n1 tiers come with 1, 2, 4, 8, 16, 32, 64 or 96 vCPUs";
    }
    const perf = /^db-perf-optimized-N-(\d+)$/.exec(value);
    if (perf) {
        return PERF_OPTIMIZED_CPUS.has(Number(perf[1]))
            ? { edition: "ENTERPRISE_PLUS", sharedCore: false }
            : `db-perf-optimized-N tiers come with ${[...PERF_OPTIMIZED_CPUS].join(", ")} vCPUs`;
    }
    const custom = /^db-custom-(\d+)-(\d+)$/.exec(value);
    if (custom) {
        const cpus = Number(custom[1]);
        const memory = Number(custom[2]);
        if (!(cpus === 1 || (cpus % 2 === 0 && cpus >= 2 && cpus <= 96))) {
            return "a custom tier has 1 or an even number (2-96) of vCPUs";
        }
        if (memory % 256 !== 0) return "a custom tier's memory (MB) must be a multiple of 256";
        const min = Math.max(3840, Math.ceil(0.9 * 1024 * cpus));
        const max = Math.floor(6.5 * 1024 * cpus);
        if (memory < min || memory > max) {
            return `a custom tier with ${cpus} vCPU${cpus === 1 ? "" : "s"} takes ${min}-${max} MB of memory`;
        }
        return { edition: "ENTERPRISE", sharedCore: false };
    }
    return "expected a Cloud SQL tier such as db-custom-2-8192, db-perf-optimized-N-4 or db-g1-small";
}

export function checkTier(value: string): string | undefined {
    const tier = parseTier(value);
    return typeof tier === "string" ? tier : undefined;
}

/** A database flag name as Cloud SQL spells them (`max_allowed_packet`, `local_infile`). */
export function checkFlagName(value: string): string | undefined {
    return /^[a-z][a-z0-9_.]*$/.test(value) ? undefined : "expected a MySQL flag name such as max_allowed_packet";
}

/** A time of day `HH:MM` (UTC), as Cloud SQL backup windows take it. */
export function checkTimeOfDay(value: string): string | undefined {
    return /^([01]\d|2[0-3]):[0-5]\d$/.test(value) ? undefined : "expected a UTC time HH:MM such as 02:00";
}
