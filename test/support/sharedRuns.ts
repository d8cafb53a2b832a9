/**
 * One program run per test process for each configuration the tests run (test/support/harness.ts
 * `run`): several test files run the same stacks (the everything-on fixtures, the variants), and a
 * run costs more than any check of it. What a run captured is frozen, so that no caller can change
 * what the others check; a check that needs to change it works on a copy (`structuredClone`).
 */
import type { CapturedResource, ProgramRun, RunOptions } from "../../scripts/lib/mockEngine";

const runs = new Map<string, Promise<ProgramRun>>();

/**
 * The key of a run: its options as JSON, or undefined when an option is a function (a program or
 * invoke answers of the test's own), which JSON cannot tell apart.
 */
export function runKey(options: RunOptions): string | undefined {
    let hasFunction = false;
    const key = JSON.stringify(options, (_, value: unknown) => {
        if (typeof value === "function") hasFunction = true;
        return value;
    });
    return hasFunction ? undefined : key;
}

/** Freezes `value` and everything it holds (plain data: the captured inputs and options). */
export function deepFreeze<T>(value: T): T {
    if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const child of Object.values(value)) deepFreeze(child);
    }
    return value;
}

/** A copy of a captured resource, frozen through and through (its state when first read). */
function frozenResource(resource: CapturedResource): CapturedResource {
    const copy = {};
    for (const [name, field] of Object.entries(Object.getOwnPropertyDescriptors(resource))) {
        const read = field.get;
        Object.defineProperty(
            copy,
            name,
            read
                ? { enumerable: field.enumerable, get: () => deepFreeze(read.call(resource)) }
                : { enumerable: field.enumerable, value: deepFreeze(field.value) },
        );
    }
    return Object.freeze(copy) as CapturedResource;
}

/** `runOnce(options)`, once per test process for each {@link runKey}; what it captured frozen. */
export function sharedRun(options: RunOptions, runOnce: (options: RunOptions) => Promise<ProgramRun>): Promise<ProgramRun> {
    const key = runKey(options);
    if (key === undefined) return runOnce(options);
    let result = runs.get(key);
    if (!result) {
        result = runOnce(options).then((run) => ({
            ...run,
            resources: Object.freeze(run.resources.map(frozenResource)) as CapturedResource[],
        }));
        runs.set(key, result);
    }
    return result;
}
