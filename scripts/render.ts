/**
 * Prints what a stack would create, offline, by running the program under the same mock engine the
 * tests use. No cluster, cloud account or Pulumi CLI is involved.
 *
 *   npm run --silent render -- --stack dev                  # every Kubernetes object, as YAML documents
 *   npm run --silent render -- --stack prod --format json   # every resource: type, name, parent, inputs
 *   npm run --silent render -- --stack dev --format capacity   # worst-case memory and DB connections
 *   npm run --silent render -- --stack-file path/to/Pulumi.x.yaml
 *   npm run --silent render -- --help
 *
 * Secret values are replaced by "[secret]"; config.ini.php is shown with only its secret values
 * masked. Invalid configuration (a file that is not a stack file included) prints the problems on
 * stderr, nothing on stdout, and exits with 1; a wrong invocation (a stack file that is not there
 * included) says what was wrong and exits with 2, as `migrate` does.
 */
import "./lib/compileCache"; // first: before any SDK is loaded
import { stringify } from "yaml";
import { loadConfig } from "../components/config";
import { capacityReport } from "./lib/capacity";
import { runAsCommand } from "./lib/command";
import { maskSecrets, secretLines, type CapturedResource } from "./lib/mockEngine";
import { PROJECT_ROOT } from "./lib/projectRoot";
import { helpText, parseRenderArgs, USAGE } from "./lib/renderArgs";
import { repositoryStacks, stackFileOf } from "./lib/stackChoice";
import { readChosenStackFile, refusingConfig, runStackFile } from "./lib/stackCommand";
import { configSourceOf } from "./lib/stackFile";

const ROOT = PROJECT_ROOT;

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
export function kubernetesObject(resource: CapturedResource, secrets: (value: unknown) => unknown): Record<string, unknown> {
    const object = secrets(resource.inputs) as Record<string, unknown>;
    const metadata = (object.metadata ?? {}) as Record<string, unknown>;
    const generated = (resource.state.metadata as Record<string, unknown> | undefined)?.name;
    return { ...object, metadata: { name: generated, ...metadata } };
}

/**
 * Hides every secret, except that config.ini.php is shown with each credential in it masked: the
 * generated ones (the results of the random provider's resources) and `configured`, the stand-ins
 * of the stack file's encrypted values. Every secret of config.ini.php is one or the other.
 */
export function secretMasker(resources: readonly CapturedResource[], configured: readonly string[] = []): (value: unknown) => unknown {
    const credentials = new Set(configured);
    for (const r of resources) if (r.type.startsWith("random:")) secretLines(r.state, false, credentials);
    return (value) => maskSecrets(value, credentials);
}

export function renderYaml(resources: readonly CapturedResource[], configured: readonly string[] = []): string {
    const secrets = secretMasker(resources, configured);
    return resources
        .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
        .sort((a, b) => kindRank(a) - kindRank(b) || a.name.localeCompare(b.name))
        .map((r) => `---\n# Source: ${r.type} ${r.name}\n${stringify(kubernetesObject(r, secrets), { lineWidth: 0, version: "1.1" })}`)
        .join("");
}

export function renderJson(resources: readonly CapturedResource[], configured: readonly string[] = []): string {
    const secrets = secretMasker(resources, configured);
    const rows = resources
        .filter((r) => !r.type.startsWith("pulumi:providers:"))
        .sort((a, b) => a.urn.localeCompare(b.urn))
        .map((r) => ({ type: r.type, name: r.name, parent: r.parent ?? null, inputs: secrets(r.inputs) }));
    return JSON.stringify(rows, null, 2) + "\n";
}

/** Runs the command; returns its exit code. */
export async function main(argv: string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
    const stacks = repositoryStacks(ROOT);
    const args = parseRenderArgs(argv, stacks);
    if (args.kind === "help") {
        out(helpText(stacks));
        return 0;
    }
    if (args.kind === "wrong") {
        err(`render: ${args.message}\n${USAGE}\n(npm run --silent render -- --help explains each option)\n`);
        return 2;
    }
    const { file, stack } = stackFileOf(args, ROOT);
    const wrong = (message: string) => {
        err(`render: ${message}\n${USAGE}\n`);
        return 2;
    };
    const config = readChosenStackFile("render", file, args.stackFile ?? `Pulumi.${args.stack}.yaml`, err, wrong);
    if (typeof config === "number") return config;
    return refusingConfig(err, async () => {
        if (args.format === "capacity") {
            out(capacityReport(loadConfig(configSourceOf(config, stack))));
            return 0;
        }
        const run = await runStackFile(config, stack);
        const render = args.format === "json" ? renderJson : renderYaml;
        out(render(run.resources, config.secretValues));
        return 0;
    });
}

if (require.main === module) runAsCommand("render", main);
