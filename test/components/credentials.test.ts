/** The Credentials component on its own: given values are used, the rest generated once. */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Credentials } from "../../components/secrets/credentials";
import { buildAlone } from "../support/component";
import { all, one } from "../support/harness";

const PASSWORD = "random:index/randomPassword:RandomPassword";

describe("Credentials", () => {
    it("generates every credential it is not given, letters and digits only, secret", async () => {
        let credentials: Credentials | undefined;
        const run = await buildAlone(() => (credentials = new Credentials("c", {})));
        assert.deepEqual(
            all(run, PASSWORD).map((r) => [r.name, r.inputs.length, r.inputs.special]),
            [
                ["c-database-password", 32, false],
                ["c-superuser-password", 24, false],
                ["c-salt", 40, false],
            ],
        );
        for (const output of [credentials!.databasePassword, credentials!.superuserPassword, credentials!.salt]) {
            assert.equal(await pulumi.isSecret(output), true);
        }
    });

    it("uses what it is given, as secrets, and generates only the rest", async () => {
        let credentials: Credentials | undefined;
        const run = await buildAlone(
            () =>
                (credentials = new Credentials("c", { salt: "given-salt-0123456789", superuserPassword: pulumi.output("given-password") })),
        );
        assert.deepEqual(
            all(run, PASSWORD).map((r) => r.name),
            ["c-database-password"],
        );
        assert.equal(await pulumi.isSecret(credentials!.salt), true);
        assert.equal(await pulumi.isSecret(credentials!.superuserPassword), true);
    });

    it("never regenerates the salt when the generation settings change", async () => {
        const salt = one(await buildAlone(() => new Credentials("c", {})), PASSWORD, "c-salt");
        assert.deepEqual([...salt.options.ignoreChanges].sort(), [
            "length",
            "lower",
            "minLower",
            "minNumeric",
            "minUpper",
            "numeric",
            "special",
            "upper",
        ]);
    });
});
