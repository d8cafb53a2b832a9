/**
 * Mail: the Postfix relay with its Service, probes, resources and login from a Secret, and
 * Matomo's config.ini.php pointing at it (the seed chart deployed the relay and never told Matomo).
 */
import assert from "node:assert/strict";
import { relayPodSpec } from "../components/mail/relay";
import { isSecretWrapper, revealSecrets, type ProgramRun } from "../scripts/lib/mockEngine";
import { all, DEV_EXTRAS, one, podSpecOf, runStack, type Container } from "./support/harness";
import { LDAP_VARIANT } from "./support/variants";

type Obj = Record<string, any>;
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

const relay = (r: ProgramRun) => one(r, DEPLOYMENT, "postfix-deployment");
const postfix = (r: ProgramRun): Container => podSpecOf(relay(r)).containers[0];
const env = (r: ProgramRun) => Object.fromEntries(postfix(r).env!.map((e) => [e.name, e]));
const configIni = (r: ProgramRun) =>
    (revealSecrets(one(r, "kubernetes:core/v1:Secret", "matomo-config").inputs.stringData) as Obj)["config.ini.php"] as string;

const STACKS = {
    [DEV_EXTRAS]: {
        namespace: "matomo-dev",
        user: "matomo-dev",
        sender: "noreply@matomo.dev.example.com",
        hostname: "matomo.dev.example.com",
    },
    prod: { namespace: "matomo", user: "analytics@example.com", sender: "analytics@example.com", hostname: "analytics.example.com" },
} as const;

for (const [stack, expected] of Object.entries(STACKS)) {
    describe(`mail relay (${stack} stack)`, () => {
        let result: ProgramRun;
        before(async () => {
            result = await runStack(stack);
        });

        it("relays to the configured SMTP server with a login, TLS required", () => {
            const e = env(result);
            assert.equal(e.MTP_RELAY.value, "smtp.example.com");
            assert.equal(e.MTP_PORT.value, "587");
            assert.equal(e.MTP_USER.value, expected.user);
            assert.equal(e.MTP_HOST.value, expected.hostname, "greets with the public hostname (the seed's had a trailing slash)");
            assert.equal(e.SMTP_TLS_SECURITY_LEVEL.value, "encrypt");
            assert.equal(e.TZ.value, "Europe/Copenhagen");
        });

        it("takes the password from a Secret, never from the pod spec", () => {
            const pass = env(result).MTP_PASS;
            assert.equal(pass.value, undefined);
            assert.deepEqual(pass.valueFrom, { secretKeyRef: { name: "smtp-relay", key: "password" } });
        });

        it("listens on port 25 behind the fixed `postfix` Service, with probes and resources", () => {
            const c = postfix(result);
            assert.deepEqual(c.ports, [{ name: "smtp", containerPort: 25, protocol: "TCP" }]);
            for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"])
                assert.deepEqual((c[probe] as Obj).tcpSocket, { port: "smtp" }, probe);
            assert.deepEqual(c.resources, { requests: { memory: "256Mi", cpu: "50m" }, limits: { memory: "256Mi" } });
            const service = one(result, "kubernetes:core/v1:Service", "postfix-service").inputs;
            assert.equal(service.metadata.name, "postfix");
            assert.deepEqual(service.spec.ports, [{ name: "smtp", port: 25, targetPort: "smtp", protocol: "TCP" }]);
            assert.deepEqual(service.spec.selector, relay(result).inputs.spec.selector.matchLabels);
        });

        it("accepts mail only from this installation's Matomo pods", () => {
            const policy = one(result, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "postfix-clients").inputs.spec;
            assert.deepEqual(policy.podSelector.matchLabels, relay(result).inputs.spec.selector.matchLabels);
            assert.deepEqual(policy.ingress, [
                {
                    from: [
                        {
                            podSelector: {
                                matchLabels: {
                                    "app.kubernetes.io/name": "matomo",
                                    "app.kubernetes.io/instance": `matomo-${stack.split("+")[0]}`,
                                },
                            },
                        },
                    ],
                    ports: [{ port: 25, protocol: "TCP" }],
                },
            ]);
            const web = one(result, DEPLOYMENT, "matomo-web-deployment").inputs.spec.template.metadata.labels;
            assert.equal(web["app.kubernetes.io/name"], "matomo", "the web pods match the policy");
        });

        it("points Matomo's [mail] at the relay, with the configured sender", () => {
            const ini = configIni(result);
            assert.match(ini, /^\[mail\]\ntransport = "smtp"\nhost = "postfix\.[a-z-]+\.svc"\nport = 25$/m);
            assert.ok(ini.includes(`host = "postfix.${expected.namespace}.svc"`));
            assert.ok(ini.includes(`noreply_email_address = "${expected.sender}"`));
            assert.ok(ini.includes('noreply_email_name = "Matomo"'));
        });
    });
}

describe("mail relay in detail", () => {
    it("is absent without postfix.relay, and Matomo gets no [mail] settings", async () => {
        const off = await runStack("dev");
        assert.equal(all(off, DEPLOYMENT).length, 1);
        assert.doesNotMatch(configIni(off), /^\[mail\]/m);
        assert.doesNotMatch(configIni(off), /noreply_email_address/);
    });

    it("keeps a password set in the stack in its own Secret", async () => {
        const ldap = await LDAP_VARIANT();
        const secret = one(ldap, "kubernetes:core/v1:Secret", "postfix-credentials");
        assert.ok(isSecretWrapper(secret.inputs.stringData));
        assert.deepEqual(revealSecrets(secret.inputs.stringData), { password: "smtp-relay-secret-1" });
        assert.deepEqual(env(ldap).MTP_PASS.valueFrom, { secretKeyRef: { name: secret.state.metadata.name, key: "password" } });
    });

    it("drops every capability Postfix does not need and never escalates", () => {
        const pod = relayPodSpec(
            {
                image: { reference: "eeacms/postfix:3.5-1.2", pullPolicy: "IfNotPresent" },
                timezone: "UTC",
                hostname: "a.example.com",
                relay: "smtp.example.com",
                port: 587,
                user: "u",
                tlsSecurityLevel: "may",
                resources: { requests: { memory: "64Mi", cpu: "10m" }, limits: { memory: "128Mi" } },
            },
            "secret-name",
        ) as Obj;
        const sc = pod.containers[0].securityContext;
        assert.deepEqual(sc.capabilities.drop, ["ALL"]);
        assert.ok(!sc.capabilities.add.includes("SYS_ADMIN") && !sc.capabilities.add.includes("NET_RAW"));
        assert.equal(sc.allowPrivilegeEscalation, false);
        assert.equal(pod.automountServiceAccountToken, false);
        assert.equal(pod.containers[0].env.find((e: Obj) => e.name === "SMTP_TLS_SECURITY_LEVEL").value, "may");
    });
});
