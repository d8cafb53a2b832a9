/**
 * Runs the real program under Pulumi's mock engine and captures everything it registers: each
 * resource's type, name, parent, inputs and resource options, plus the stack outputs. The tests and
 * `npm run render` both use it, so what the tests check is what a reviewer sees.
 *
 * Mocks behave like a fresh deployment: Kubernetes objects without a name get a generated one
 * (as the provider's auto-naming would), generated passwords are deterministic and secret, and an
 * invoke nobody mocked fails loudly instead of hanging.
 */
import * as pulumi from "@pulumi/pulumi";
import { pulumiConfigSource, type StackFileOptions } from "../../components/config/pulumiSource";
import { mockState } from "./mockProviders";
import { plainStruct, registerDirectly, type MonitorInternals, type Registration } from "./mockRegistration";
import { SECRET_SIG, SECRET_SIG_KEY } from "./secretValues";

export { isSecretWrapper, maskSecrets, redactSecrets, revealSecrets, secretLines, SECRET_SIG, SECRET_SIG_KEY } from "./secretValues";

export interface ResourceOptionsSeen {
    readonly retainOnDelete: boolean;
    readonly protect: boolean;
    /** URNs of explicit and implicit dependencies. */
    readonly dependsOn: readonly string[];
    readonly ignoreChanges: readonly string[];
    readonly deleteBeforeReplace: boolean;
    readonly customTimeouts?: { readonly create?: string; readonly update?: string; readonly delete?: string };
    /** Earlier URNs of the resource (`aliases` given as URNs). */
    readonly aliases: readonly string[];
}

export interface CapturedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** URN of the parent; undefined for the stack itself. */
    readonly parent?: string;
    readonly custom: boolean;
    /**
     * Inputs as the engine received them; secret values are wrapped (see {@link isSecretWrapper}).
     * Typed loosely on purpose: it is deserialized data of every resource type.
     */
    readonly inputs: Record<string, any>;
    /** State the mock returned (inputs plus generated names and values). */
    readonly state: Record<string, any>;
    readonly options: ResourceOptionsSeen;
}

export interface ProgramRun {
    readonly resources: CapturedResource[];
    /** The program's return value: the stack outputs as Outputs (check secrecy with pulumi.isSecret). */
    readonly outputs: Record<string, unknown>;
}

export interface RunOptions {
    /** Fully qualified config keys to raw text, as in a stack file. */
    readonly config: Record<string, string>;
    readonly secretKeys?: readonly string[];
    readonly stack?: string;
    readonly project?: string;
    /** Run as `pulumi preview` (unknown values stay unknown). */
    readonly preview?: boolean;
    /** Answers for invokes (e.g. `gcp:organizations/getProject:getProject`); anything else throws. */
    readonly invokes?: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>;
    /** The program; defaults to `stacks.deploy()`. */
    readonly program?: () => unknown;
    /**
     * The stack file `stacks.deploy()` reads which values are encrypted from (see
     * components/config/pulumiSource.ts); by default the one a real run reads.
     */
    readonly stackFile?: StackFileOptions;
}

async function unwrap(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const [plain, secret] = await Promise.all([new Promise((resolve) => value.apply((v) => resolve(v))), pulumi.isSecret(value)]);
        const inner = await unwrap(plain);
        return secret ? { [SECRET_SIG_KEY]: SECRET_SIG, value: inner } : inner;
    }
    if (Array.isArray(value)) return Promise.all(value.map(unwrap));
    if (typeof value === "object" && value !== null && !(value instanceof pulumi.Resource)) {
        const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await unwrap(v)] as const));
        return Object.fromEntries(entries);
    }
    return value;
}

/** Plain values of the stack outputs, secrets wrapped as in resource inputs. */
export async function resolveOutputs(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    return (await unwrap(outputs)) as Record<string, unknown>;
}

/**
 * What the engine received for one resource. The state is deserialized when first read: a bench
 * run reads it of no resource, so the capture adds little to what it measures.
 */
function captured({ req, urn, inputs, serializedState }: Registration): CapturedResource {
    let state: Record<string, unknown> | undefined;
    const timeouts = req.getCustomtimeouts();
    return {
        urn,
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent() || undefined,
        custom: req.getCustom(),
        inputs,
        get state() {
            return (state ??= pulumi.runtime.deserializeProperties(
                plainStruct(serializedState) as Parameters<typeof pulumi.runtime.deserializeProperties>[0],
            ) as Record<string, unknown>);
        },
        options: {
            retainOnDelete: req.getRetainondelete(),
            protect: req.getProtect(),
            dependsOn: req.getDependenciesList(),
            ignoreChanges: req.getIgnorechangesList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            customTimeouts: timeouts
                ? {
                      create: timeouts.getCreate() || undefined,
                      update: timeouts.getUpdate() || undefined,
                      delete: timeouts.getDelete() || undefined,
                  }
                : undefined,
            aliases: req
                .getAliasesList()
                .map((alias) => alias.getUrn())
                .filter((urn) => urn !== ""),
        },
    };
}

/** Runs the program once under mocks. Runs must not overlap (Pulumi's runtime state is global). */
export async function runProgram(options: RunOptions): Promise<ProgramRun> {
    const project = options.project ?? "matomo";
    const stack = options.stack ?? "test";
    const seen = new Map<string, CapturedResource>();
    // Errors thrown inside apply callbacks surface as unhandled rejections, and a failed invoke
    // reaches the program only as a bare "Error"; a real deployment fails on both, so the run does
    // too, with the messages collected here.
    const failures: unknown[] = [];

    const mocks: pulumi.runtime.Mocks = {
        newResource(args) {
            const state = mockState(args);
            return { id: args.custom ? `${args.name}-id` : undefined, state };
        },
        call(args) {
            const answer = options.invokes?.[args.token];
            if (!answer) {
                const error = new Error(`No mock for invoke ${args.token}: add one to the test's invokes`);
                failures.push(error);
                throw error;
            }
            return answer(args.inputs as Record<string, unknown>);
        },
    };
    await pulumi.runtime.setMocks(mocks, project, stack, options.preview ?? false);
    pulumi.runtime.setAllConfig(options.config, [...(options.secretKeys ?? [])]);

    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorInternals;
    // The engine leaves the stack's own type out of its children's URNs; the mock does not.
    const newUrn = monitor.newUrn.bind(monitor);
    monitor.newUrn = (parent, type, name) => newUrn(parent && parent.split("::")[2] === "pulumi:pulumi:Stack" ? "" : parent, type, name);
    registerDirectly(monitor, mocks, (registration) => seen.set(registration.urn, captured(registration)));

    const onRejection = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", onRejection);

    let returned: unknown;
    const program =
        options.program ??
        (() => {
            // Loaded here, after the mocks are in place.
            const { deploy } = require("../../stacks") as typeof import("../../stacks");
            return deploy(pulumiConfigSource(options.stackFile));
        });
    let thrown: { error: unknown } | undefined;
    try {
        await pulumi.runtime.runInPulumiStack(async () => {
            returned = program();
            return returned;
        });
        await pulumi.runtime.disconnect();
    } catch (e) {
        thrown = { error: e };
    } finally {
        // Let rejections of the last turn reach the handler (a program that throws also rejects
        // the stack's own promise, a turn later), so that none escapes as an unhandled rejection.
        await new Promise((resolve) => setImmediate(resolve));
        process.off("unhandledRejection", onRejection);
    }
    const sameAsThrown = (f: unknown) =>
        f === thrown?.error || (f instanceof Error && thrown?.error instanceof Error && f.message === thrown.error.message);
    if (thrown && failures.every(sameAsThrown)) throw thrown.error;
    if (failures.length > 0) {
        const messages = [...new Set(failures.map((f) => (f instanceof Error ? f.message : String(f))))];
        throw new Error(`The program failed under the mock engine:\n${messages.join("\n")}`);
    }

    return { resources: [...seen.values()], outputs: (returned ?? {}) as Record<string, unknown> };
}
