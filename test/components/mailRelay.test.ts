/** The MailRelay component on its own: the relay, its Service and who may use it, from its args alone. */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { MailRelay, type MailRelayArgs } from "../../components/mail/relay";
import { buildAlone, INSTALLATION } from "../support/component";
import { all, one } from "../support/harness";

function build(changes: Partial<MailRelayArgs> = {}) {
    return buildAlone(
        () =>
            new MailRelay("mail", {
                ...INSTALLATION,
                image: { reference: "eeacms/postfix:3.5-1.2", pullPolicy: "IfNotPresent" },
                timezone: "UTC",
                hostname: "stats.example.org",
                relay: "smtp.example.org",
                port: 465,
                user: "stats",
                password: { existingSecret: "smtp" },
                tlsSecurityLevel: "encrypt",
                resources: { requests: { memory: "64Mi", cpu: "10m" }, limits: { memory: "128Mi" } },
                serviceName: "smtp-relay",
                clients: { "app.kubernetes.io/name": "matomo" },
                ...changes,
            }),
    );
}

describe("MailRelay", () => {
    it("reads the password from an existing Secret without creating one", async () => {
        const run = await build();
        assert.equal(all(run, "kubernetes:core/v1:Secret").length, 0);
        const env = one(run, "kubernetes:apps/v1:Deployment").inputs.spec.template.spec.containers[0].env as {
            name: string;
            value?: string;
            valueFrom?: unknown;
        }[];
        assert.deepEqual(env.find((e) => e.name === "MTP_PASS")!.valueFrom, { secretKeyRef: { name: "smtp", key: "password" } });
        assert.equal(env.find((e) => e.name === "MTP_PORT")!.value, "465");
    });

    it("keeps a given password in a Secret of its own", async () => {
        const run = await build({ password: { value: pulumi.secret("smtp-password-1") } });
        one(run, "kubernetes:core/v1:Secret");
    });

    it("serves under its fixed Service name, to the client pods only", async () => {
        const run = await build();
        assert.equal(one(run, "kubernetes:core/v1:Service").inputs.metadata.name, "smtp-relay");
        const policy = one(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").inputs.spec;
        assert.deepEqual(policy.ingress[0].from, [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "matomo" } } }]);
    });
});
