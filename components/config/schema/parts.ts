/** Field builders shared by several config sections (images, resources, PHP settings). */
import { oneOf, rejected, string } from "./fields";
import { object } from "./structures";
import { checkByteQuantity, checkCpuQuantity, normalizePhpSize, PHP_SIZE_HINT } from "../../k8s/units";
import { checkImageRepository, checkImageTag } from "./validators";

export const image = (doc: string, repository: string, tag: string) =>
    object(
        {
            repository: string({ doc: `Image repository for ${doc}.`, default: repository, check: checkImageRepository }),
            tag: string({
                doc: `Image tag for ${doc}, or a digest \`sha256:...\` to pin the exact image.`,
                default: tag,
                check: checkImageTag,
            }),
            pullPolicy: oneOf(["IfNotPresent", "Always", "Never"], {
                doc: `Image pull policy for ${doc}.`,
                default: "IfNotPresent",
            }),
        },
        { doc: `Container image for ${doc}.` },
    );

const memory = (doc: string, value: string) => string({ doc, default: value, check: checkByteQuantity });
const cpu = (doc: string, value: string) => string({ doc, default: value, check: checkCpuQuantity });
const optionalCpu = (doc: string) => string({ doc, optional: true, check: checkCpuQuantity });

export const resources = (doc: string, sizes: { requestMemory: string; requestCpu: string; limitMemory: string }) =>
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

export const notYet = (what: string, doc: string) =>
    rejected({ doc, reason: `${what} is not built yet (see docs/seed-parameters.md for the plan)` });

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

