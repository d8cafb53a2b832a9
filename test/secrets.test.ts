import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { isSecretWrapper, revealSecrets, type ProgramRun } from "../scripts/lib/mockEngine";
import { all, kubernetesResources, podSpecOf, run, withChanges, workloads } from "./support/harness";
import { IN_STACK_SECRETS, LDAP_BIND_PASSWORD, ldapVariantConfig } from "./support/variants";

type Obj = Record<string, any>;

/** Every credential value of a run: generated passwords and the stand-ins of --secret config. */
function credentialValues(result: ProgramRun, provided: string[]): string[] {
    const generated = all(result, "random:index/randomPassword:RandomPassword").map((r) => revealSecrets(r.state.result) as string);
    return [...generated, ...provided];
}

/** Every string in a value, with whether it sat inside a secret. */
function strings(value: unknown, insideSecret = false, out: [string, boolean][] = []): [string, boolean][] {
    if (isSecretWrapper(value)) return strings(value.value, true, out);
    if (typeof value === "string") out.push([value, insideSecret]);
    else if (Array.isArray(value)) value.forEach((v) => strings(v, insideSecret, out));
    else if (typeof value === "object" && value !== null) Object.values(value).forEach((v) => strings(v, insideSecret, out));
    return out;
}

describe("secrets", () => {
    const providedPassword = "user-set-db-password-1";
    let result: ProgramRun;
    let secrets: string[];
    before(async () => {
        // The dev stack plus credentials set with --secret (database, LDAP bind, MaxMind, SMTP relay),
        // so both generated and provided ones are checked.
        const config = withChanges(ldapVariantConfig(), { "matomo:mariadb": { password: providedPassword } }, ["matomo:mariadb"]);
        result = await run(config);
        const geoip = IN_STACK_SECRETS.values["matomo:geoipupdate"];
        secrets = credentialValues(result, [
            providedPassword,
            LDAP_BIND_PASSWORD,
            geoip.licenseKey,
            IN_STACK_SECRETS.values["matomo:postfix"].password,
        ]);
        assert.ok(secrets.length >= 4);
    });

    it("generates the passwords and the salt, and marks them secret", () => {
        const generated = all(result, "random:index/randomPassword:RandomPassword")
            .map((r) => r.name)
            .sort();
        assert.deepEqual(generated, ["credentials-salt", "credentials-superuser-password", "mariadb-root-password"]);
        for (const r of all(result, "random:index/randomPassword:RandomPassword")) {
            assert.ok(isSecretWrapper(r.state.result), r.name);
        }
    });

    it("passes credentials only inside secret values, anywhere in any resource", () => {
        for (const r of result.resources) {
            for (const [text, insideSecret] of [...strings(r.inputs), ...strings(r.state)]) {
                const leaked = secrets.find((s) => text.includes(s));
                if (leaked && !insideSecret) {
                    assert.fail(`${r.urn} carries a credential in plain text`);
                }
            }
        }
    });

    it("never sets a container environment variable to a credential", () => {
        for (const w of workloads(result)) {
            const pod = podSpecOf(w);
            for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
                for (const env of c.env ?? []) {
                    assert.ok(!isSecretWrapper(env.value), `${w.name}/${c.name} env ${env.name} holds a secret value`);
                    assert.ok(
                        typeof env.value !== "string" || !secrets.some((s) => env.value!.toString().includes(s)),
                        `${w.name}/${c.name} env ${env.name}`,
                    );
                }
            }
        }
    });

    it("keeps ConfigMaps free of passwords and the salt", () => {
        for (const cm of kubernetesResources(result).filter((r) => r.type === "kubernetes:core/v1:ConfigMap")) {
            assert.ok(!isSecretWrapper(cm.inputs.data), `${cm.name} data is secret`);
            const text = JSON.stringify(cm.inputs.data);
            for (const s of secrets) assert.ok(!text.includes(s), `${cm.name} holds a credential`);
        }
    });

    it("stores every credential in a Kubernetes Secret whose data is secret", () => {
        const stored = kubernetesResources(result)
            .filter((r) => r.type === "kubernetes:core/v1:Secret")
            .flatMap((r) => {
                assert.ok(isSecretWrapper(r.inputs.stringData), `${r.name} stringData must be secret`);
                return Object.values(revealSecrets(r.inputs.stringData) as Obj) as string[];
            })
            .join("\n");
        for (const s of secrets) {
            assert.ok(stored.includes(s), "a credential that no Secret holds");
        }
    });

    it("passes nothing secret to a component's constructor (component inputs land in state)", () => {
        for (const component of result.resources.filter((r) => r.type.startsWith("matomo:index:"))) {
            assert.deepEqual(component.inputs, {}, component.urn);
        }
    });

    it("exports the superuser password only as a secret output", async () => {
        assert.equal(await pulumi.isSecret(result.outputs.superuserPassword as pulumi.Output<string>), true);
        for (const [name, value] of Object.entries(result.outputs)) {
            if (name === "superuserPassword" || !pulumi.Output.isInstance(value)) continue;
            assert.equal(await pulumi.isSecret(value), false, `${name} should not be secret`);
        }
    });
});
