/**
 * Field builders several config sections share: images, resources, PHP settings, and the keys
 * every console CronJob has (schedule, PHP limits, deadline, the rejected per-job image).
 */
import { imageReference, PULL_POLICIES, type PullPolicy } from "../../k8s/image";
import type { ContainerResources } from "../../k8s/resources";
import { checkByteQuantity, checkCpuQuantity, normalizePhpSize, PHP_SIZE_HINT } from "../../k8s/units";
import { integer, oneOf, rejected, string, type Field } from "./fields";
import { pullSecretNames } from "./pullSecrets";
import { mapped, object } from "./structures";
import { checkCronSchedule, checkImageRepository, checkImageTag } from "./validators";

/** An image as configured, resolved once to the reference a container runs. */
export interface Image {
    readonly repository: string;
    /** A tag, or a digest `sha256:...`. */
    readonly tag: string;
    /** `repository:tag`, or `repository@sha256:...`. */
    readonly reference: string;
    readonly pullPolicy: PullPolicy;
    /** Pull secrets of this image alone; every pod also lists the stack-wide `imagePullSecrets`. */
    readonly pullSecrets: readonly string[];
}

export const image = (doc: string, repository: string, tag: string): Field<Image> =>
    mapped(
        object(
            {
                repository: string({ doc: `Image repository for ${doc}.`, default: repository, check: checkImageRepository }),
                tag: string({
                    doc: `Image tag for ${doc}, or a digest \`sha256:...\` to pin the exact image.`,
                    default: tag,
                    check: checkImageTag,
                }),
                pullPolicy: oneOf(PULL_POLICIES, {
                    doc: `Image pull policy for ${doc}.`,
                    default: "IfNotPresent",
                }),
                pullSecrets: pullSecretNames(
                    `Pull secrets for ${doc}: existing Secrets (type \`kubernetes.io/dockerconfigjson\`, in \`namespace\`) that every pod ` +
                        "running this image lists, besides `imagePullSecrets` (docs/private-registry.md).",
                ),
            },
            { doc: `Container image for ${doc}.` },
        ),
        (value) => ({ ...value, reference: imageReference(value) }),
    );

const memory = (doc: string, value: string) => string({ doc, default: value, check: checkByteQuantity });
const cpu = (doc: string, value: string) => string({ doc, default: value, check: checkCpuQuantity });
const optionalCpu = (doc: string) => string({ doc, optional: true, check: checkCpuQuantity });

export const resources = (
    doc: string,
    sizes: { requestMemory: string; requestCpu: string; limitMemory: string },
): Field<ContainerResources> =>
    object(
        {
            requests: object(
                {
                    memory: memory(`Memory request of the ${doc} container.`, sizes.requestMemory),
                    cpu: cpu(`CPU request of the ${doc} container.`, sizes.requestCpu),
                },
                { doc: `Resource requests of the ${doc} container.` },
            ),
            limits: object(
                {
                    memory: memory(`Memory limit of the ${doc} container.`, sizes.limitMemory),
                    cpu: optionalCpu(
                        `CPU limit of the ${doc} container. Unset by default: a CPU limit throttles the container under load.`,
                    ),
                },
                { doc: `Resource limits of the ${doc} container.` },
            ),
        },
        { doc: `Resources of the ${doc} container.` },
    );

export const phpSize = (doc: string, value: string) =>
    string({
        doc,
        default: value,
        check: (v) => (normalizePhpSize(v) === undefined ? PHP_SIZE_HINT : undefined),
        normalize: (v) => normalizePhpSize(v) as string,
    });

export const seconds = (doc: string, value: string) =>
    string({
        doc,
        default: value,
        check: (v) => (/^\d+$/.test(v) ? undefined : "expected whole seconds (0 means no limit)"),
    });

export const cronSchedule = (doc: string, value: string) => string({ doc, default: value, check: checkCronSchedule });

/** Console jobs run the web tier's image, so their code always matches the database schema. */
export const jobImage = rejected({
    doc: "Image of the job (the seed allowed one per job).",
    reason: "console jobs run the web tier's image (matomo.image), so their code always matches the database schema",
});

/** PHP's command line never limits execution or input time; the seed's keys are accepted only as 0. */
const cliTime = (doc: string) =>
    string({
        doc: `${doc} Only \`0\` is accepted: PHP's command line never limits it (activeDeadlineSeconds bounds the job).`,
        default: "0",
        check: (v) =>
            v === "0"
                ? undefined
                : "PHP's command line never limits execution or input time; only 0 is accepted (the job's activeDeadlineSeconds bounds it)",
    });

/** The seed's `environment` of a console job: PHP's memory limit (the time limits only as 0). */
export const consolePhp = (job: string, memoryLimit: string) =>
    object(
        {
            PHP_MEMORY_LIMIT: phpSize(
                `PHP \`memory_limit\` of each PHP process of the ${job} (\`-d memory_limit\`). Must stay below the container memory limit.`,
                memoryLimit,
            ),
            PHP_MAX_EXECUTION_TIME: cliTime("PHP `max_execution_time`."),
            PHP_MAX_INPUT_TIME: cliTime("PHP `max_input_time`."),
        },
        { doc: `PHP settings of the ${job}.` },
    );

export const deadline = (doc: string, value: number) =>
    integer({
        doc: `Longest run of the ${doc} in seconds (\`activeDeadlineSeconds\`); a longer run is stopped and counts as failed.`,
        default: value,
        min: 60,
        max: 7 * 86400,
    });
