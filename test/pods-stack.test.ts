/**
 * `matomo:pods` through the whole program: every pod template of a group gets the group's
 * placement, the default applies where a group sets nothing, and the program's own labels stay
 * what its selectors match, on both everything-on stacks.
 */
import assert from "node:assert/strict";
import { POD_GROUPS, type PodGroup } from "../components/config/sections/pods";
import type { ProgramRun } from "../scripts/lib/mockEngine";
import { podLabelsOf, podSpecOf, run, stackConfig, withChanges, workloads } from "./support/harness";
import { podTemplateOf } from "./support/placement";

const EEA = "test/fixtures/Pulumi.everything-on.yaml";
const GOOGLE = "test/fixtures/Pulumi.everything-on-google.yaml";

/** The group of a workload, from its pods' `app.kubernetes.io/component` label. */
function groupOf(component: string): PodGroup {
    const groups: Record<string, PodGroup> = {
        web: "web",
        database: "database",
        install: "setup",
        upgrade: "setup",
        "scheduled-tasks": "scheduledTasks",
        "delete-data": "deleteData",
        "ldap-sync": "ldapSync",
        geoip: "geoip",
        "log-sync": "logImport",
        "log-import": "logImport",
        backup: "backup",
        restore: "backup",
    };
    if (component.startsWith("archive")) return "archive";
    assert.ok(component in groups, `no group for the component ${component}`);
    return groups[component];
}

/** Each group's priority class named after it (`pods.<group>.priorityClassName`), for the groups of `groups`. */
const byGroup = (groups: readonly PodGroup[]) =>
    Object.fromEntries(groups.map((g) => [g, { priorityClassName: g.toLowerCase(), podLabels: { "example.org/group": g } }]));

function placed(stack: string, pods: Record<string, unknown>): Promise<ProgramRun> {
    // A null value removes the fixture's own placement first.
    return run(withChanges(withChanges(stackConfig(stack), { "matomo:pods": null }), { "matomo:pods": pods as never }));
}

describe("pods across the stack", () => {
    for (const [stack, groups] of [
        [EEA, POD_GROUPS],
        [GOOGLE, POD_GROUPS.filter((g) => g !== "database" && g !== "backup")],
    ] as const) {
        describe(stack, () => {
            it("puts every pod template of a group where the group says, and every group has pods", async () => {
                const result = await placed(stack, byGroup(groups));
                const seen = new Set<PodGroup>();
                for (const workload of workloads(result)) {
                    const group = groupOf(podLabelsOf(workload)["app.kubernetes.io/component"]);
                    seen.add(group);
                    assert.equal(podSpecOf(workload).priorityClassName, group.toLowerCase(), `${workload.name} (${group})`);
                    assert.equal(podLabelsOf(workload)["example.org/group"], group, workload.name);
                }
                assert.deepEqual([...seen].sort(), [...groups].sort());
            });

            it("gives every pod the default where no group sets the field, and a group's own where it does", async () => {
                const toleration = { key: "example.org/dedicated", operator: "Exists" };
                const result = await placed(stack, {
                    default: { tolerations: [toleration], podAnnotations: { "example.org/owner": "analytics" } },
                    archive: { tolerations: [] },
                });
                for (const workload of workloads(result)) {
                    const archive = groupOf(podLabelsOf(workload)["app.kubernetes.io/component"]) === "archive";
                    assert.deepEqual(podSpecOf(workload).tolerations, archive ? undefined : [toleration], workload.name);
                    assert.equal(podTemplateOf(workload).metadata.annotations["example.org/owner"], "analytics", workload.name);
                }
            });
        });
    }

    it("keeps the labels the selectors match on every pod of the everything-on stack, its placement on", async () => {
        const result = await run(stackConfig(EEA));
        for (const workload of workloads(result)) {
            const labels = podLabelsOf(workload);
            assert.equal(labels["example.org/cost-center"], "web-analytics", workload.name);
            const selector = (workload.inputs.spec as Record<string, any>).selector?.matchLabels ?? {};
            for (const [key, value] of Object.entries(selector)) assert.equal(labels[key], value, `${workload.name}: ${key}`);
            assert.equal(labels["app.kubernetes.io/part-of"], "matomo", workload.name);
        }
    });

    it("spreads the web pods over nodes without a placement, and over zones with the fixture's", async () => {
        const web = (r: ProgramRun) => workloads(r).find((w) => podLabelsOf(w)["app.kubernetes.io/component"] === "web")!;
        const keys = (r: ProgramRun) =>
            (podSpecOf(web(r)).topologySpreadConstraints as { topologyKey: string }[]).map((c) => c.topologyKey);
        assert.deepEqual(keys(await run(stackConfig(EEA))), ["topology.kubernetes.io/zone"]);
        assert.deepEqual(keys(await placed(EEA, {})), ["kubernetes.io/hostname"]);
    });
});
