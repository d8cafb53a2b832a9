/**
 * `container-resources`, `image-pinned`, `service-account-token-off` and
 * `read-only-root-filesystem`: a compliant workload of every kind passes, and each missing or wrong
 * field is named.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
    containerResources,
    imagePinned,
    imageTag,
    imageViolations,
    readOnlyRootFilesystem,
    serviceAccountTokenOff,
} from "../../policy/rules/containers";
import { resourceViolations } from "../support/policyArgs";
import { deployment, DIGEST, podOf, WORKLOADS } from "./fixtures";

/** The violations of one policy after changing the fixture Deployment's pod spec. */
async function afterChange(
    policy: Parameters<typeof resourceViolations>[0],
    change: (pod: Record<string, any>) => void,
): Promise<string[]> {
    const resource = deployment();
    change(podOf(resource));
    return resourceViolations(policy, resource);
}

describe("policy container-resources", () => {
    for (const [kind, make] of Object.entries(WORKLOADS)) {
        it(`passes a compliant ${kind}`, async () => assert.deepEqual(await resourceViolations(containerResources, make()), []));
    }

    for (const [field, remove] of [
        ["initContainers[setup].resources.requests.cpu", (p: any) => delete p.initContainers[0].resources.requests.cpu],
        ["containers[web].resources.requests.memory", (p: any) => delete p.containers[0].resources.requests.memory],
        ["containers[web].resources.limits.memory", (p: any) => delete p.containers[0].resources.limits],
    ] as const) {
        it(`refuses a container without ${field}`, async () => {
            const messages = await afterChange(containerResources, remove);
            assert.deepEqual(messages.length, 1, messages.join("\n"));
            assert.ok(messages[0].startsWith(`spec.template.spec.${field} is not set: `), messages[0]);
        });
    }

    it("names every missing field of a container without resources", async () => {
        const messages = await afterChange(containerResources, (p) => delete p.containers[0].resources);
        assert.equal(messages.length, 3, messages.join("\n"));
    });
});

describe("policy image-pinned", () => {
    for (const [kind, make] of Object.entries(WORKLOADS)) {
        it(`passes a compliant ${kind}`, async () => assert.deepEqual(await resourceViolations(imagePinned, make()), []));
    }

    for (const image of [
        "matomo:5.11.2",
        "registry.example.com:5000/matomo-ldap:5.11.2-1",
        `matomo@${DIGEST}`,
        `matomo:latest@${DIGEST}`,
    ]) {
        it(`passes ${image}`, () => assert.deepEqual(imageViolations({ containers: [{ name: "c", image }] }), []));
    }

    for (const image of ["matomo:latest", "matomo", "registry.example.com:5000/matomo", "matomo:", "matomo@sha256:abc", undefined]) {
        it(`refuses ${String(image)}, naming the container's image`, async () => {
            const messages = await afterChange(imagePinned, (p) => (p.containers[0].image = image));
            assert.equal(messages.length, 1);
            assert.ok(messages[0].startsWith("spec.template.spec.containers[web].image is "), messages[0]);
            assert.ok(messages[0].includes(image === undefined ? "not set" : JSON.stringify(image)), messages[0]);
        });
    }

    it("reads the tag after the registry's port", () => {
        fc.assert(
            fc.property(
                fc.stringMatching(/^[a-z][a-z0-9.-]{0,20}(:[0-9]{2,5})?\/[a-z][a-z0-9/_-]{0,20}$/),
                fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/),
                (repository, tag) => {
                    assert.equal(imageTag(repository), undefined);
                    assert.equal(imageTag(`${repository}:${tag}`), tag);
                    assert.equal(
                        imageViolations({ containers: [{ name: "c", image: `${repository}:${tag}` }] }).length,
                        tag === "latest" ? 1 : 0,
                    );
                },
            ),
        );
    });
});

describe("policy service-account-token-off", () => {
    for (const [kind, make] of Object.entries(WORKLOADS)) {
        it(`passes a compliant ${kind}`, async () => assert.deepEqual(await resourceViolations(serviceAccountTokenOff, make()), []));
    }

    for (const value of [undefined, true]) {
        it(`refuses automountServiceAccountToken ${String(value)}`, async () => {
            const messages = await afterChange(serviceAccountTokenOff, (p) => (p.automountServiceAccountToken = value));
            assert.equal(messages.length, 1);
            assert.match(messages[0], /^spec\.template\.spec\.automountServiceAccountToken is (not set|true): set it to false/);
        });
    }
});

describe("policy read-only-root-filesystem", () => {
    for (const [kind, make] of Object.entries(WORKLOADS)) {
        it(`passes a compliant ${kind}`, async () => assert.deepEqual(await resourceViolations(readOnlyRootFilesystem, make()), []));
    }

    it("refuses readOnlyRootFilesystem: false on every container, naming each one", async () => {
        for (const [kind, make] of Object.entries(WORKLOADS)) {
            const resource = make();
            const pod = podOf(resource);
            for (const container of [...pod.initContainers, ...pod.containers]) container.securityContext.readOnlyRootFilesystem = false;
            const messages = await resourceViolations(readOnlyRootFilesystem, resource);
            assert.equal(messages.length, 2, `${kind}: ${messages.join("\n")}`);
            assert.match(messages[0], /initContainers\[setup\]\.securityContext\.readOnlyRootFilesystem is false: set it to true/);
            assert.match(messages[1], /containers\[web\]\.securityContext\.readOnlyRootFilesystem is false: set it to true/);
        }
    });

    for (const [what, change] of [
        ["not set", (p: any) => delete p.containers[0].securityContext.readOnlyRootFilesystem],
        ["a container without a securityContext", (p: any) => delete p.containers[0].securityContext],
    ] as const) {
        it(`refuses ${what}`, async () => {
            const messages = await afterChange(readOnlyRootFilesystem, change);
            assert.equal(messages.length, 1, messages.join("\n"));
            assert.ok(messages[0].startsWith("spec.template.spec.containers[web].securityContext.readOnlyRootFilesystem is "), messages[0]);
        });
    }
});
