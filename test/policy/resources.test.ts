/**
 * The rules on single resources other than workloads: `namespace-enforces-restricted`,
 * `no-exposed-services`, `claims-retained` and `cloud-sql-protected`. A compliant fixture passes;
 * each check refuses one changed field and names it.
 */
import assert from "node:assert/strict";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { cloudSqlProtected } from "../../policy/rules/cloudSql";
import { namespaceEnforcesRestricted } from "../../policy/rules/namespace";
import { noExposedServices } from "../../policy/rules/services";
import { claimsRetained } from "../../policy/rules/storage";
import { resourceViolations, type FakeResource } from "../support/policyArgs";
import { claim, cloudSqlInstance, namespace, service, statefulSet } from "./fixtures";

/** Asserts the policy reports exactly one violation for the resource, and that it starts with `start`. */
async function refuses(policy: ResourceValidationPolicy, resource: FakeResource, start: string): Promise<void> {
    const messages = await resourceViolations(policy, resource);
    assert.equal(messages.length, 1, messages.join("\n"));
    assert.ok(messages[0].startsWith(start), messages[0]);
}

describe("policy namespace-enforces-restricted", () => {
    it("passes a namespace that enforces restricted", async () =>
        assert.deepEqual(await resourceViolations(namespaceEnforcesRestricted, namespace()), []));

    it("refuses one that enforces baseline", async () => {
        const ns = namespace();
        ns.props.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline";
        await refuses(
            namespaceEnforcesRestricted,
            ns,
            'metadata.labels["pod-security.kubernetes.io/enforce"] is "baseline": set it to "restricted"',
        );
    });

    it("refuses one without Pod Security labels", async () => {
        const ns = namespace();
        delete ns.props.metadata.labels;
        await refuses(namespaceEnforcesRestricted, ns, 'metadata.labels["pod-security.kubernetes.io/enforce"] is not set: ');
    });

    it("ignores other kinds", async () => {
        const other = { ...namespace(), type: "kubernetes:core/v1:ConfigMap" };
        other.props.metadata.labels = {};
        assert.deepEqual(await resourceViolations(namespaceEnforcesRestricted, other), []);
    });
});

describe("policy no-exposed-services", () => {
    it("passes a ClusterIP Service, and one with no type", async () => {
        assert.deepEqual(await resourceViolations(noExposedServices, service()), []);
        const untyped = service();
        delete untyped.props.spec.type;
        assert.deepEqual(await resourceViolations(noExposedServices, untyped), []);
    });

    for (const type of ["LoadBalancer", "NodePort"]) {
        it(`refuses a ${type} Service`, async () => {
            const exposed = service();
            exposed.props.spec.type = type;
            await refuses(noExposedServices, exposed, `spec.type is "${type}": use ClusterIP`);
        });
    }

    it("refuses external IPs", async () => {
        const exposed = service();
        exposed.props.spec.externalIPs = ["203.0.113.7"];
        await refuses(noExposedServices, exposed, 'spec.externalIPs is ["203.0.113.7"]: ');
    });
});

describe("policy claims-retained", () => {
    it("passes a claim retained on delete, or protected, and a StatefulSet that keeps its claims", async () => {
        assert.deepEqual(await resourceViolations(claimsRetained, claim()), []);
        assert.deepEqual(await resourceViolations(claimsRetained, { ...claim(), opts: { protect: true, retainOnDelete: false } }), []);
        assert.deepEqual(await resourceViolations(claimsRetained, statefulSet()), []);
    });

    it("refuses a claim that is neither retained nor protected", async () => {
        await refuses(
            claimsRetained,
            { ...claim(), opts: { retainOnDelete: false } },
            "the resource option retainOnDelete is false (and protect is false): ",
        );
    });

    it("cannot tell, and says nothing, when the options do not report retainOnDelete (the analyzer protocol of @pulumi/policy 1.21)", async () => {
        assert.deepEqual(await resourceViolations(claimsRetained, { ...claim(), opts: {} }), []);
    });

    for (const key of ["whenDeleted", "whenScaled"]) {
        it(`refuses a StatefulSet that deletes its claims ${key}`, async () => {
            const set = statefulSet();
            set.props.spec.persistentVolumeClaimRetentionPolicy[key] = "Delete";
            await refuses(claimsRetained, set, `spec.persistentVolumeClaimRetentionPolicy.${key} is "Delete": set it to Retain`);
        });
    }
});

describe("policy cloud-sql-protected", () => {
    it("passes the instance as the program configures it", async () =>
        assert.deepEqual(await resourceViolations(cloudSqlProtected, cloudSqlInstance()), []));

    it("passes an instance that leaves Pulumi's deletion protection at its default (on)", async () => {
        const instance = cloudSqlInstance();
        delete instance.props.deletionProtection;
        assert.deepEqual(await resourceViolations(cloudSqlProtected, instance), []);
    });

    const CHANGES: [string, (s: Record<string, any>, props: Record<string, any>) => void, string][] = [
        ["deletionProtection", (_s, p) => (p.deletionProtection = false), "deletionProtection is false: "],
        ["deletionProtectionEnabled", (s) => delete s.deletionProtectionEnabled, "settings.deletionProtectionEnabled is not set: "],
        ["backups", (s) => (s.backupConfiguration.enabled = false), "settings.backupConfiguration.enabled is false: "],
        [
            "binary logging",
            (s) => delete s.backupConfiguration.binaryLogEnabled,
            "settings.backupConfiguration.binaryLogEnabled is not set: ",
        ],
        [
            "authorized networks",
            (s) => (s.ipConfiguration.authorizedNetworks = [{ value: "0.0.0.0/0" }]),
            'settings.ipConfiguration.authorizedNetworks is [{"value":"0.0.0.0/0"}]: ',
        ],
        [
            "sslMode",
            (s) => (s.ipConfiguration.sslMode = "ALLOW_UNENCRYPTED_AND_ENCRYPTED"),
            'settings.ipConfiguration.sslMode is "ALLOW_UNENCRYPTED_AND_ENCRYPTED": ',
        ],
        ["a missing sslMode", (s) => delete s.ipConfiguration.sslMode, "settings.ipConfiguration.sslMode is not set: "],
    ];
    for (const [name, change, start] of CHANGES) {
        it(`refuses ${name}`, async () => {
            const instance = cloudSqlInstance();
            change(instance.props.settings, instance.props);
            await refuses(cloudSqlProtected, instance, start);
        });
    }

    it("asks PostgreSQL for pointInTimeRecoveryEnabled instead of binary logging", async () => {
        const instance = cloudSqlInstance();
        instance.props.databaseVersion = "POSTGRES_16";
        await refuses(cloudSqlProtected, instance, "settings.backupConfiguration.pointInTimeRecoveryEnabled is not set: ");
        instance.props.settings.backupConfiguration.pointInTimeRecoveryEnabled = true;
        assert.deepEqual(await resourceViolations(cloudSqlProtected, instance), []);
    });

    it("does not ask a read replica for backups", async () => {
        const replica = cloudSqlInstance();
        replica.props.masterInstanceName = "primary";
        replica.props.settings.backupConfiguration = { enabled: false };
        assert.deepEqual(await resourceViolations(cloudSqlProtected, replica), []);
    });
});
