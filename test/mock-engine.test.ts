/**
 * The mock engine itself: it must not let a broken program pass (an unmocked invoke, an error in an
 * apply) and must treat generated secrets as a real engine would.
 */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { isSecretWrapper, redactSecrets, runProgram } from "../scripts/lib/mockEngine";
import { stringify } from "yaml";
import { parseConfig } from "../components/config";
import { parseStackFile } from "../scripts/lib/stackFile";
import { sourceOf } from "./support/harness";

describe("mock engine", () => {
    it("fails loudly on an invoke nobody mocked", async () => {
        await assert.rejects(
            runProgram({
                config: {},
                program: () => ({ project: pulumi.output(pulumi.runtime.invoke("gcp:organizations/getProject:getProject", {})) }),
            }),
            /No mock for invoke gcp:organizations\/getProject:getProject/,
        );
    });

    it("answers mocked invokes", async () => {
        let seen: unknown;
        await runProgram({
            config: {},
            invokes: { "test:index:lookup": () => ({ answer: 42 }) },
            program: () => {
                const result = pulumi.output(pulumi.runtime.invoke("test:index:lookup", {}));
                return { answer: result.apply((r) => (seen = r.answer)) };
            },
        });
        assert.equal(seen, 42);
    });

    it("fails the run when an apply throws, as a real deployment would", async () => {
        await assert.rejects(
            runProgram({
                config: {},
                program: () => ({
                    broken: pulumi.output(1).apply(() => {
                        throw new Error("boom in apply");
                    }),
                }),
            }),
            /boom in apply/,
        );
    });

    it("hands the program each resource's state and captures its inputs, also for a resource with a transform", async () => {
        const result = await runProgram({
            config: {},
            program: () => {
                const plain = new random.RandomPassword("plain", { length: 20 });
                const transformed = new random.RandomPassword(
                    "transformed",
                    { length: 20, special: false },
                    { transforms: [async (args) => args] },
                );
                return { plain: plain.result, length: transformed.length, special: transformed.special };
            },
        });
        const outputs = (await Promise.all(
            ["plain", "length", "special"].map(
                (name) => new Promise((resolve) => (result.outputs[name] as pulumi.Output<unknown>).apply(resolve)),
            ),
        )) as [string, number, boolean];
        assert.equal(outputs[0].length, 20);
        assert.deepEqual(outputs.slice(1), [20, false]);
        const transformed = result.resources.find((r) => r.name === "transformed")!;
        assert.deepEqual(transformed.inputs, { length: 20, special: false });
        assert.equal(transformed.state.length, 20);
    });

    it("returns generated passwords as secrets, and auto-names Kubernetes objects", async () => {
        const result = await runProgram({
            config: {},
            program: () => ({ password: new random.RandomPassword("p", { length: 20 }).result }),
        });
        const password = result.resources.find((r) => r.type === "random:index/randomPassword:RandomPassword")!;
        assert.ok(isSecretWrapper(password.state.result));
        assert.equal((password.state.result as { value: string }).value.length, 20);
        assert.equal(await pulumi.isSecret(result.outputs.password as pulumi.Output<string>), true);
    });

    it("keeps a secret map's keys when redacting", () => {
        const wrapped = redactSecrets({ a: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: { k: "v" } } });
        assert.deepEqual(wrapped, { a: { k: "[secret]" } });
    });

    it("reads stack files: encrypted values become secret stand-ins, keys get the project namespace", () => {
        const config = parseStackFile(
            "config:\n  timezone: UTC\n  matomo:mariadb:\n    password:\n      secure: AAABAF==\n  kubernetes:context: prod\n",
        );
        assert.equal(config.values["matomo:timezone"], "UTC");
        assert.equal(config.values["kubernetes:context"], "prod");
        assert.deepEqual(config.secretKeys, ["matomo:mariadb"]);
        assert.match(JSON.parse(config.values["matomo:mariadb"]).password, /^\d{12}$/);
    });

    it("renders every secret key set with --secret offline: the stand-ins pass every check", () => {
        const secure = { secure: "AAABAF==" };
        const config = parseStackFile(
            stringify({
                config: {
                    "matomo:matomo": {
                        hostname: "analytics.example.com",
                        image: { repository: "registry.example.com/matomo-ldap", tag: "5.11.2-1" },
                        password: secure,
                        salt: secure,
                    },
                    "matomo:ldap": {
                        servers: [
                            {
                                name: "corp",
                                hostname: "ldap.example.com",
                                baseDn: "dc=example,dc=com",
                                adminUser: "cn=m",
                                adminPassword: secure,
                            },
                        ],
                    },
                    "matomo:networkPolicy": { egressTo: { ldap: ["192.0.2.0/24"] } },
                    "matomo:mariadb": { password: secure, rootPassword: secure },
                    "matomo:geoipupdate": { accountId: secure, licenseKey: secure },
                    "matomo:postfix": { relay: "smtp.example.com", user: "matomo", password: secure },
                },
            }),
        );
        const { issues } = parseConfig(sourceOf(config));
        assert.deepEqual(issues, []);
    });
});
