/**
 * The documented reuse of the chart's volumes (docs/backup-restore.md, "Migration: reuse the
 * chart's volumes"), checked as far as it can be without a cluster: the commands parse, the JSON
 * they hand kubectl is valid and names what the other commands name, the claims jq writes bind the
 * volumes as they are, the `pulumi config` lines leave a stack the program accepts with those
 * claims, and the names it uses (the namespace's URN, MariaDB's pod, container and root password
 * file) are the program's.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig, type EeaConfig } from "../components/config";
import { revealSecrets } from "../scripts/lib/mockEngine";
import { one, podSpecOf, ROOT, runStack, sourceOf, stackConfig, withChanges } from "./support/harness";
import { requireBinaries } from "./support/system";

const doc = readFileSync(join(ROOT, "docs", "backup-restore.md"), "utf8");
const section = doc.slice(doc.indexOf("## Migration: reuse the chart's volumes"));
const commands = /```sh\n([\s\S]*?)```/.exec(section)![1];
const lines = commands.split("\n");

/** Sample values of the shell variables the commands set or read. */
const SHELL: Readonly<Record<string, string>> = { OLD: "analytics", REL: "matomo", NS: "matomo-prod", MISC_CLAIM: "matomo-matomo-pvc" };

/** The JSON of each single-quoted argument after `flag` (a pattern), with the shell's `'$VAR'` splices filled in. */
function jsonAfter(flag: string): unknown[] {
    const pattern = new RegExp(`${flag}'((?:[^']|'\\$[A-Z_]+')*)'`, "g");
    return [...commands.matchAll(pattern)].map((m) =>
        JSON.parse(m[1].replace(/'\$([A-Z_]+)'/g, (_, name: string) => SHELL[name] ?? assert.fail(`no sample for $${name}`))),
    );
}

type Model = { validate(): void };
async function assertValid(kind: "Pod" | "PersistentVolumeClaim", object: Record<string, unknown>): Promise<void> {
    const module = (await import(`kubernetes-models/v1/${kind}`)) as Record<string, new (data: Record<string, unknown>) => Model>;
    new module[kind](object).validate();
}

describe("the documented reuse of the chart's volumes", () => {
    it("is a script the shell reads", function () {
        requireBinaries(this, "sh");
        const result = spawnSync("sh", ["-n"], { input: commands, encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
    });

    it("keeps the volumes, and promises each to the claim of that name in the stack's namespace", () => {
        assert.deepEqual(jsonAfter("patch pv \\$pv -p "), [{ spec: { persistentVolumeReclaimPolicy: "Retain" } }]);
        const promised = jsonAfter(" --type merge -p ") as { spec: { claimRef: Record<string, unknown> } }[];
        assert.deepEqual(
            promised.map((p) => p.spec.claimRef),
            ["chart-mariadb-data", "chart-matomo-misc"].map((name) => ({
                namespace: "matomo-prod",
                name,
                uid: null,
                resourceVersion: null,
            })),
        );
        const created = [...commands.matchAll(/claim_for (\S+) \$/g)].map((m) => m[1]);
        assert.deepEqual(created, ["chart-mariadb-data", "chart-matomo-misc"]);
    });

    it("gives misc/ to Matomo's user with a pod Kubernetes accepts, on the chart's claim", async () => {
        const [overrides] = jsonAfter("--overrides=") as { spec: { containers: { command: string[] }[]; volumes: unknown[] } }[];
        await assertValid("Pod", { apiVersion: "v1", kind: "Pod", metadata: { name: "fix-owner" }, spec: overrides.spec });
        assert.deepEqual(overrides.spec.containers[0].command, ["chown", "-R", "33:33", "/volume/matomo/misc"]);
        assert.deepEqual(overrides.spec.volumes, [{ name: "v", persistentVolumeClaim: { claimName: "matomo-matomo-pvc" } }]);
    });

    describe("the claims jq writes from the volumes", () => {
        before(function () {
            requireBinaries(this, "jq");
        });
        const filter = /jq --arg name "\$1" '([^']+)'/.exec(commands)![1];
        const claimFor = (name: string, pv: unknown) => {
            const result = spawnSync("jq", ["--arg", "name", name, filter], { input: JSON.stringify(pv), encoding: "utf8" });
            assert.equal(result.status, 0, result.stderr);
            return JSON.parse(result.stdout) as Record<string, any>;
        };
        const pv = (spec: Record<string, unknown>) => ({
            apiVersion: "v1",
            kind: "PersistentVolume",
            metadata: { name: "pvc-4f1c" },
            spec: { capacity: { storage: "400Gi" }, accessModes: ["ReadWriteOnce"], persistentVolumeReclaimPolicy: "Retain", ...spec },
        });

        it("bind each volume as it is: its name, access modes, size and class", async () => {
            const claim = claimFor("chart-mariadb-data", pv({ storageClassName: "nfs-rancher" }));
            await assertValid("PersistentVolumeClaim", claim);
            assert.deepEqual(claim, {
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                metadata: { name: "chart-mariadb-data" },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: "nfs-rancher",
                    volumeName: "pvc-4f1c",
                    resources: { requests: { storage: "400Gi" } },
                },
            });
        });

        it("ask for no class for a volume without one, which the cluster's default class would not bind", async () => {
            const claim = claimFor("chart-matomo-misc", pv({ accessModes: ["ReadWriteMany"] }));
            await assertValid("PersistentVolumeClaim", claim);
            assert.equal(claim.spec.storageClassName, "");
            assert.deepEqual(claim.spec.accessModes, ["ReadWriteMany"]);
        });
    });

    it("configures a stack the program accepts, on the claims the commands create", () => {
        let config = stackConfig("dev");
        for (const line of lines) {
            const set = /^pulumi config set (--secret )?--path (\S+) (\S+)/.exec(line);
            const removed = [...line.matchAll(/pulumi config rm --path ([^\s;]+)/g)].map((m) => m[1]);
            if (set) {
                const [key, ...path] = set[2].split(".");
                const value = set[3].startsWith("'<") ? `${path.join("-")}-of-the-chart-1` : set[3];
                const change = path.reduceRight<unknown>((inner, field) => ({ [field]: inner }), value);
                config = withChanges(config, { [`matomo:${key}`]: change as never }, set[1] ? [`matomo:${key}`] : []);
            }
            for (const path of removed) {
                const [key, ...fields] = path.split(".");
                const change = fields.reduceRight<unknown>((inner, field) => ({ [field]: inner }), null);
                config = withChanges(config, { [`matomo:${key}`]: change as never });
            }
        }
        const { config: parsed, issues } = parseConfig(sourceOf(config));
        assert.deepEqual(issues, []);
        const eea = parsed as EeaConfig;
        assert.deepEqual(eea.mariadb.existingClaim, { name: "chart-mariadb-data", subPath: undefined });
        assert.deepEqual(eea.matomo.existingClaim, { name: "chart-matomo-misc", subPath: "matomo/misc" });
        assert.equal(eea.matomo.storageAccessMode, "ReadWriteMany");
    });

    it("names the program's namespace resource, MariaDB's pod and container, and root's password file", async () => {
        const dev = await runStack("dev");
        const target = /pulumi up --target "([^"]+)"/.exec(commands)![1].replace("$(pulumi stack --show-name)", "dev");
        assert.ok(
            dev.resources.some((r) => r.urn === target),
            target,
        );
        const exec = /kubectl -n \$NS exec (\S+) -c (\S+) -- sh -c \\\n\s*'([^\n]+)'/.exec(commands)!;
        const statefulSet = one(dev, "kubernetes:apps/v1:StatefulSet");
        assert.equal(`${statefulSet.inputs.metadata.name}-0`, exec[1]);
        const pod = podSpecOf(statefulSet);
        const container = pod.containers.find((c) => c.name === exec[2])!;
        const secretsDir = /cat (\/\S+)\/root-password/.exec(exec[3])![1];
        const mount = (container.volumeMounts as { name: string; mountPath: string }[]).find((m) => m.mountPath === secretsDir)!;
        const secret = pod.volumes!.find((v) => v.name === mount.name) as { secret: { secretName: string } };
        const credentials = one(dev, "kubernetes:core/v1:Secret", "mariadb-credentials");
        assert.equal(secret.secret.secretName, credentials.inputs.metadata.name);
        assert.ok("root-password" in (revealSecrets(credentials.inputs.stringData) as object));
    });
});
