/**
 * The program runs the test processes share (test/support/sharedRuns.ts) and the property-test
 * budget of the fast loop (test/support/unitMode.ts): a shared run must be one run per config, and
 * what it captured must be impossible to change for the other tests.
 */
import assert from "node:assert/strict";
import type { CapturedResource, ProgramRun, RunOptions } from "../scripts/lib/mockEngine";
import { deepFreeze, runKey, sharedRun } from "./support/sharedRuns";
import { propertyRuns, UNIT_MODE, UNIT_PROPERTY_RUNS } from "./support/unitMode";

/** A captured resource whose state, like the mock engine's, is computed when first read. */
function capturedResource(name: string): CapturedResource {
    let state: Record<string, unknown> | undefined;
    return {
        urn: `urn:pulumi:test::matomo::test:index:Thing::${name}`,
        type: "test:index:Thing",
        name,
        custom: true,
        inputs: { spec: { replicas: 1, args: ["a"] } },
        get state() {
            return (state ??= { spec: { replicas: 1 } });
        },
        options: { retainOnDelete: false, protect: false, dependsOn: [], ignoreChanges: [], deleteBeforeReplace: false, aliases: [] },
    };
}

describe("shared program runs", () => {
    it("keys a run by its options, and not at all when an option is a function", () => {
        const options: RunOptions = { config: { "matomo:a": "1" }, secretKeys: [], stack: "test" };
        assert.equal(runKey(options), runKey({ ...options, config: { "matomo:a": "1" } }));
        assert.notEqual(runKey(options), runKey({ ...options, config: { "matomo:a": "2" } }));
        assert.notEqual(runKey(options), runKey({ ...options, stack: "prod" }));
        assert.equal(runKey({ ...options, program: () => ({}) }), undefined);
        assert.equal(runKey({ ...options, invokes: { "test:index:lookup": () => ({}) } }), undefined);
    });

    it("freezes plain data through and through", () => {
        const value = deepFreeze({ a: { b: [{ c: 1 }] } });
        assert.ok(Object.isFrozen(value.a.b[0]));
        assert.throws(() => ((value.a.b[0] as { c: number }).c = 2), TypeError);
    });

    it("runs each config once and hands every caller the same frozen resources, state included", async () => {
        let runs = 0;
        const runOnce = async (): Promise<ProgramRun> => {
            runs++;
            return { resources: [capturedResource("one")], outputs: {} };
        };
        const options: RunOptions = { config: { "matomo:shared-runs-test": `${Date.now()}` } };
        const [first, second] = await Promise.all([sharedRun(options, runOnce), sharedRun({ ...options }, runOnce)]);
        assert.equal(runs, 1);
        assert.equal(first, second);
        const [resource] = first.resources;
        assert.throws(() => first.resources.push(capturedResource("two")), TypeError);
        assert.throws(() => ((resource.inputs.spec as { replicas: number }).replicas = 3), TypeError);
        assert.throws(() => (resource.options.dependsOn as string[]).push("urn:x"), TypeError);
        assert.throws(() => ((resource.state.spec as { replicas: number }).replicas = 3), TypeError);
        assert.deepEqual(resource.state, { spec: { replicas: 1 } });
    });

    it("runs a program of the test's own every time", async () => {
        let runs = 0;
        const runOnce = async (): Promise<ProgramRun> => ({ resources: [capturedResource(`run-${++runs}`)], outputs: {} });
        const options: RunOptions = { config: {}, program: () => ({}) };
        await sharedRun(options, runOnce);
        const second = await sharedRun(options, runOnce);
        assert.equal(runs, 2);
        assert.equal(second.resources[0].name, "run-2");
    });
});

describe("property tests in the fast loop", () => {
    const saved = process.env[UNIT_MODE];
    afterEach(() => {
        if (saved === undefined) delete process.env[UNIT_MODE];
        else process.env[UNIT_MODE] = saved;
    });

    it("try every case they ask for under npm test, and at most UNIT_PROPERTY_RUNS under npm run test:unit", () => {
        process.env[UNIT_MODE] = "";
        assert.equal(propertyRuns(500), 500);
        process.env[UNIT_MODE] = "1";
        assert.equal(propertyRuns(500), UNIT_PROPERTY_RUNS);
        assert.equal(propertyRuns(10), 10);
    });
});
