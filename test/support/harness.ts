/**
 * Test helpers around the mock engine: run a stack file (optionally with config changes) through
 * the real program, and find what it registered.
 */
import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ConfigSource } from "../../components/config";
import { inside, type Encryption } from "../../components/config/schema/parseContext";
import { anyEncrypted } from "../../components/config/stackFile";
import { runProgram, type CapturedResource, type ProgramRun, type RunOptions } from "../../scripts/lib/mockEngine";
import { configSourceOf, encryptionOfConfig, readStackFile, type StackConfig } from "../../scripts/lib/stackFile";
import { sharedRun } from "./sharedRuns";

export const ROOT = resolve(__dirname, "..", "..");

/**
 * `dev+extras`: the dev stack with the optional parts that need credentials switched on, as an
 * operator adds them (GeoIP and the mail relay, their credentials in Secrets managed elsewhere).
 * Pulumi.dev.yaml leaves them off so that it deploys with nothing prepared.
 */
export const DEV_EXTRAS = "dev+extras";

const EXTRAS = {
    "matomo:geoipupdate": { existingSecret: "maxmind-credentials" },
    "matomo:postfix": { relay: "smtp.example.com", port: 587, user: "matomo-dev", existingSecret: "smtp-relay" },
};

/** Stack files as read, by path and modification time: reading one (YAML) costs more than copying it. */
const readFiles = new Map<string, StackConfig>();

/** A stack file of the repository (`dev`, `prod`), {@link DEV_EXTRAS}, or a fixture under test/fixtures. */
export function stackConfig(name: string): StackConfig {
    if (name === DEV_EXTRAS) return withChanges(stackConfig("dev"), EXTRAS);
    const file = name.includes("/") ? resolve(ROOT, name) : resolve(ROOT, `Pulumi.${name}.yaml`);
    const key = `${file}@${statSync(file, { throwIfNoEntry: false })?.mtimeMs}`;
    if (!readFiles.has(key)) readFiles.set(key, readStackFile(file));
    return structuredClone(readFiles.get(key)!);
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * A copy of `config` with structured keys deep-merged with `changes` (a `null` leaf removes the
 * field) and scalar keys replaced, as `pulumi config set --path` would leave the stack file: every
 * value the changes of a key in `secretKeys` set is encrypted (as with `--secret`), every other
 * value they set is in plain text, and the values they leave keep their encryption.
 */
export function withChanges(config: StackConfig, changes: Record<string, Json>, secretKeys: string[] = []): StackConfig {
    const values = { ...config.values };
    const encryption: Record<string, Encryption> = { ...encryptionOfConfig(config) };
    const merge = (base: Json, change: Json): Json => {
        if (typeof change !== "object" || change === null || Array.isArray(change)) return change;
        const out: { [key: string]: Json } = typeof base === "object" && base !== null && !Array.isArray(base) ? { ...base } : {};
        for (const [k, v] of Object.entries(change)) {
            if (v === null) delete out[k];
            else out[k] = merge(out[k] ?? null, v);
        }
        return out;
    };
    for (const [key, change] of Object.entries(changes)) {
        let merged: Json = change;
        if (typeof change === "object" && change !== null && !Array.isArray(change)) {
            const base = values[key] === undefined ? {} : (JSON.parse(values[key]) as Json);
            merged = merge(base, change);
            values[key] = JSON.stringify(merged);
        } else if (change === null) {
            delete values[key];
        } else {
            values[key] = typeof change === "string" ? change : JSON.stringify(change);
        }
        if (change === null) delete encryption[key];
        else encryption[key] = encryptionAfter(merged, change, encryption[key], secretKeys.includes(key));
    }
    return { values, secretKeys: Object.keys(encryption).filter((key) => anyEncrypted(encryption[key])), encryption };
}

/** The encryption of a value `change` was merged into: what it set is `encrypted`, the rest stays. */
function encryptionAfter(merged: Json, change: Json | undefined, before: Encryption | undefined, encrypted: boolean): Encryption {
    if (change !== undefined && (typeof change !== "object" || change === null || Array.isArray(change))) return encrypted;
    if (typeof merged !== "object" || merged === null || Array.isArray(merged)) return before ?? false;
    const changed = change as { [key: string]: Json } | undefined;
    return Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, encryptionAfter(v, changed?.[k], inside(before, k), encrypted)]));
}

/** A ConfigSource over a stack config, for testing config parsing without the Pulumi runtime. */
export function sourceOf(config: StackConfig, stack = "test"): ConfigSource {
    return configSourceOf(config, stack);
}

/**
 * `runProgram` with stack traces off while it runs. Pulumi's SDK captures one for every promise and
 * every resource (for leak reports and source positions), which nobody reads under the mock engine
 * and which, mapped through the TypeScript loader's source maps, cost half of every run. For the
 * source positions it lifts the limit on frames, so the traces are also written as their first
 * line only (no frame is mapped). Errors keep their messages.
 */
export async function runQuickly(options: RunOptions): Promise<ProgramRun> {
    const limit = Error.stackTraceLimit;
    const prepare = Error.prepareStackTrace;
    Error.stackTraceLimit = 0;
    Error.prepareStackTrace = firstLineOnly;
    try {
        return await runProgram(options);
    } finally {
        Error.stackTraceLimit = limit;
        Error.prepareStackTrace = prepare;
    }
}

/** A stack trace without frames, as V8 writes it with `Error.stackTraceLimit = 0`. */
function firstLineOnly(error: unknown): string {
    try {
        return String(error);
    } catch {
        return "Error";
    }
}

/**
 * Runs the program with a stack config: once per test process for the same config and options
 * (test/support/sharedRuns.ts), so what it returns is frozen.
 */
export function run(config: StackConfig, options: Partial<RunOptions> = {}): Promise<ProgramRun> {
    const stackFile = { path: config.file, encryption: encryptionOfConfig(config) };
    return sharedRun({ config: config.values, secretKeys: config.secretKeys, stack: "test", stackFile, ...options }, runQuickly);
}

const cache = new Map<string, Promise<ProgramRun>>();

/** Runs a repository stack file as it is (once per test process). */
export function runStack(name: string, options: Partial<RunOptions> = {}): Promise<ProgramRun> {
    const key = `${name}:${JSON.stringify(options)}`;
    if (!cache.has(key)) cache.set(key, run(stackConfig(name), { stack: name.split("+")[0], ...options }));
    return cache.get(key)!;
}

/** The one resource of a type (and name, if given); fails when there is not exactly one. */
export function one(run: ProgramRun, type: string, name?: string): CapturedResource {
    const found = run.resources.filter((r) => r.type === type && (name === undefined || r.name === name));
    if (found.length !== 1) {
        throw new Error(
            `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
        );
    }
    return found[0];
}

export function all(run: ProgramRun, type: string): CapturedResource[] {
    return run.resources.filter((r) => r.type === type);
}

/**
 * Checks a run's URNs against the recorded list `test/golden/<name>-urns.txt`, so that a refactor
 * never replaces a resource by accident (UPDATE_GOLDEN=1 records a deliberate change).
 */
export function assertGoldenUrns(result: ProgramRun, name: string): void {
    const golden = resolve(ROOT, "test", "golden", `${name}-urns.txt`);
    const actual =
        result.resources
            .filter((r) => !r.type.startsWith("pulumi:providers:"))
            .map((r) => r.urn)
            .sort()
            .join("\n") + "\n";
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, actual);
    assert.equal(
        actual,
        readFileSync(golden, "utf8"),
        "URNs changed; if that is deliberate (with aliases for moved resources), run UPDATE_GOLDEN=1 npm test and review the diff",
    );
}

/** Kubernetes objects the program registered. */
export function kubernetesResources(run: ProgramRun): CapturedResource[] {
    return run.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
}

export type PodSpec = {
    initContainers?: Container[];
    containers: Container[];
    volumes?: Record<string, unknown>[];
    securityContext?: Record<string, unknown>;
    [key: string]: unknown;
};
export type Container = {
    name: string;
    image: string;
    command?: string[];
    args?: string[];
    env?: { name: string; value?: unknown; valueFrom?: unknown }[];
    [key: string]: unknown;
};

/** The pod spec of a workload (Deployment, StatefulSet, Job, CronJob). */
export function podSpecOf(resource: CapturedResource): PodSpec {
    const spec = resource.inputs.spec as Record<string, any>;
    if (resource.type.endsWith(":CronJob")) return spec.jobTemplate.spec.template.spec as PodSpec;
    return spec.template.spec as PodSpec;
}

/** Every workload with a pod template. */
export function workloads(run: ProgramRun): CapturedResource[] {
    return run.resources.filter((r) => /:(Deployment|StatefulSet|Job|CronJob|DaemonSet)$/.test(r.type));
}

/** The labels of a workload's pods. */
export function podLabelsOf(resource: CapturedResource): Record<string, string> {
    const spec = resource.inputs.spec as Record<string, any>;
    const template = resource.type.endsWith(":CronJob") ? spec.jobTemplate.spec.template : spec.template;
    return (template.metadata?.labels ?? {}) as Record<string, string>;
}

/** The workloads that run Matomo (web, setup Jobs, console CronJobs): the ones that talk to the database. */
export function matomoWorkloads(run: ProgramRun): CapturedResource[] {
    return workloads(run).filter((w) => podLabelsOf(w)["app.kubernetes.io/name"] === "matomo");
}
