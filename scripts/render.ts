/**
 * Prints what a stack would create, offline, by running the program under the same mock engine the
 * tests use. No cluster, cloud account or Pulumi CLI is involved.
 *
 *   npm run --silent render -- --stack dev                  # every Kubernetes object, as YAML documents
 *   npm run --silent render -- --stack prod --format json   # every resource: type, name, parent, inputs
 *   npm run --silent render -- --stack-file path/to/Pulumi.x.yaml
 *
 * Secret values are replaced by "[secret]". Invalid configuration prints the problems on stderr,
 * nothing on stdout, and exits with 1.
 */
import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { ConfigError } from "../components/config";
import { redactSecrets, runProgram, type CapturedResource } from "./lib/mockEngine";
import { readStackFile } from "./lib/stackFile";

const USAGE = "usage: npm run --silent render -- (--stack NAME | --stack-file PATH) [--format yaml|json]";

/** Order in which `helm template` would list kinds: what others depend on first. */
const KIND_ORDER = [
    "Namespace",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "PersistentVolumeClaim",
    "Service",
    "StatefulSet",
    "Deployment",
    "Job",
    "CronJob",
    "Ingress",
    "PodDisruptionBudget",
    "NetworkPolicy",
];

function kindRank(resource: CapturedResource): number {
    const rank = KIND_ORDER.indexOf(String(resource.inputs.kind));
    return rank === -1 ? KIND_ORDER.length : rank;
}

/**
 * The Kubernetes object as it would be applied: inputs with the generated name filled in, secrets
 * hidden (or, for validation, revealed with `secrets: revealSecrets`).
 */
export function kubernetesObject(
    resource: CapturedResource,
    secrets: (value: unknown) => unknown = redactSecrets,
): Record<string, unknown> {
    const object = secrets(resource.inputs) as Record<string, unknown>;
    const metadata = (object.metadata ?? {}) as Record<string, unknown>;
    const generated = (resource.state.metadata as Record<string, unknown> | undefined)?.name;
    return { ...object, metadata: { name: generated, ...metadata } };
}

export function renderYaml(resources: readonly CapturedResource[]): string {
    return resources
        .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
        .sort((a, b) => kindRank(a) - kindRank(b) || a.name.localeCompare(b.name))
        .map((r) => `---\n# Source: ${r.type} ${r.name}\n${stringify(kubernetesObject(r), { lineWidth: 0 })}`)
        .join("");
}

export function renderJson(resources: readonly CapturedResource[]): string {
    const rows = resources
        .filter((r) => !r.type.startsWith("pulumi:providers:"))
        .sort((a, b) => a.urn.localeCompare(b.urn))
        .map((r) => ({ type: r.type, name: r.name, parent: r.parent ?? null, inputs: redactSecrets(r.inputs) }));
    return JSON.stringify(rows, null, 2) + "\n";
}

async function main(argv: string[]): Promise<number> {
    let values;
    try {
        values = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                "stack-file": { type: "string" },
                format: { type: "string", default: "yaml" },
            },
        }).values;
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
        return 2;
    }
    if (Boolean(values.stack) === Boolean(values["stack-file"]) || !["yaml", "json"].includes(values.format ?? "")) {
        process.stderr.write(`${USAGE}\n`);
        return 2;
    }
    const file = values["stack-file"] ? resolve(values["stack-file"]) : resolve(__dirname, "..", `Pulumi.${values.stack}.yaml`);
    const stack = values.stack ?? /^Pulumi\.(.+)\.ya?ml$/.exec(basename(file))?.[1] ?? "render";

    let config;
    try {
        config = readStackFile(file);
    } catch (e) {
        process.stderr.write(`cannot read stack file ${file}: ${(e as Error).message}\n`);
        return 1;
    }
    try {
        const run = await runProgram({ config: config.values, secretKeys: config.secretKeys, stack });
        process.stdout.write(values.format === "json" ? renderJson(run.resources) : renderYaml(run.resources));
        return 0;
    } catch (e) {
        if (e instanceof ConfigError) {
            process.stderr.write(`${e.message}\n`);
            return 1;
        }
        throw e;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            process.stderr.write(`render failed: ${e instanceof Error ? e.stack : String(e)}\n`);
            process.exit(1);
        },
    );
}
