/**
 * Claims that exist already, as the whole program renders them: the stack creates no claim in
 * their place, and every pod that would mount its own claim mounts the named one, at the directory
 * inside it that the stack names.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prepareWebrootScript } from "../components/matomo/scripts";
import type { ProgramRun } from "../scripts/lib/mockEngine";
import { DEV_EXTRAS, all, one, podSpecOf, run, stackConfig, withChanges, workloads, type PodSpec } from "./support/harness";
import { requireBinaries } from "./support/system";

const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
type Mount = { name: string; mountPath: string; subPath?: string; readOnly?: boolean };
type Named = { name: string; volumeMounts?: Mount[] };

/** Every mount of the volume `volume` in a pod, with the container that has it. */
function mountsOf(pod: PodSpec, volume: string): { container: string; mount: Mount }[] {
    return [...(pod.initContainers ?? []), ...pod.containers].flatMap((c) =>
        ((c as Named).volumeMounts ?? []).filter((m) => m.name === volume).map((mount) => ({ container: c.name, mount })),
    );
}

/** The workloads whose pods mount `claim`: their names and pod specs. */
function podsOnClaim(result: ProgramRun, claim: string) {
    return workloads(result)
        .map((w) => ({ name: w.name, pod: podSpecOf(w) }))
        .filter(({ pod }) =>
            (pod.volumes ?? []).some(
                (v) => (v as { persistentVolumeClaim?: { claimName: string } }).persistentVolumeClaim?.claimName === claim,
            ),
        );
}

describe("existing claims, rendered", () => {
    describe("Matomo's misc/ on a claim of an earlier installation", () => {
        let onClaim: ProgramRun;
        let fpm: ProgramRun;
        before(async () => {
            // The backups archive misc/user, and GeoIP writes into misc/: each of them mounts the claim too.
            const misc = { storage: null, existingClaim: "chart-matomo-pvc", existingClaimSubPath: "matomo/misc" };
            onClaim = await run(withChanges(stackConfig(DEV_EXTRAS), { "matomo:matomo": misc }));
            fpm = await run(
                withChanges(stackConfig("dev"), {
                    "matomo:matomo": { ...misc, image: { tag: "5.11.2-fpm" }, webServer: { variant: "fpm" } },
                }),
            );
        });

        it("creates no claim for misc/ (only MariaDB's backups keep one of their own)", () => {
            const claims = all(onClaim, PVC).map((c) => c.inputs.metadata.name as string);
            assert.deepEqual(claims, ["mariadb-backups"]);
        });

        it("mounts the named claim's directory as misc/ in the web pods, the GeoIP updater and the backup pods", () => {
            const pods = podsOnClaim(onClaim, "chart-matomo-pvc");
            assert.deepEqual(pods.map((p) => p.name).sort(), [
                "geoipupdate-cronjob",
                "geoipupdate-initial",
                "mariadb-backup-backup",
                "mariadb-backup-restore",
                "matomo-web-deployment",
            ]);
            const subPaths = (name: string) => {
                const pod = pods.find((p) => p.name === name)!.pod;
                return mountsOf(pod, "misc").map(({ container, mount }) => `${container}: ${mount.mountPath} <- ${mount.subPath}`);
            };
            assert.deepEqual(subPaths("matomo-web-deployment"), [
                "prepare-webroot: /var/www/html/misc <- matomo/misc",
                "matomo: /var/www/html/misc <- matomo/misc",
            ]);
            assert.deepEqual(subPaths("geoipupdate-cronjob"), ["geoipupdate: /usr/share/GeoIP <- matomo/misc"]);
            // Only the uploaded logos, as always.
            assert.deepEqual(subPaths("mariadb-backup-backup"), ["backup: /matomo-misc/user <- matomo/misc/user"]);
            assert.deepEqual(subPaths("mariadb-backup-restore"), ["restore: /matomo-misc/user <- matomo/misc/user"]);
        });

        it("gives nginx, beside php-fpm, the same directory, read-only", () => {
            const web = podsOnClaim(fpm, "chart-matomo-pvc").find((p) => p.name === "matomo-web-deployment")!;
            const nginx = mountsOf(web.pod, "misc").find((m) => m.container === "nginx")!;
            assert.deepEqual(nginx.mount, { name: "misc", mountPath: "/var/www/html/misc", subPath: "matomo/misc", readOnly: true });
        });

        it("leaves the pods that do not keep misc/ with a scratch directory of their own", () => {
            for (const w of workloads(onClaim)) {
                const pod = podSpecOf(w);
                const misc = (pod.volumes ?? []).find((v) => v.name === "misc") as { emptyDir?: object } | undefined;
                if (!misc?.emptyDir) continue;
                for (const { mount } of mountsOf(pod, "misc")) assert.equal(mount.subPath, undefined, w.name);
            }
        });

        it("mounts the claim's root when no directory is named", async () => {
            const root = await run(
                withChanges(stackConfig("dev"), { "matomo:matomo": { storage: null, existingClaim: "chart-misc-pvc" } }),
            );
            const web = podsOnClaim(root, "chart-misc-pvc").find((p) => p.name === "matomo-web-deployment")!;
            assert.deepEqual(
                mountsOf(web.pod, "misc").map(({ mount }) => mount.subPath),
                [undefined, undefined],
            );
        });
    });

    describe("prepare-webroot on a misc/ claim that Matomo's user cannot write", () => {
        let dir: string;
        before(function () {
            requireBinaries(this, "sh", ...(process.getuid?.() === 0 ? ["setpriv"] : []));
            dir = mkdtempSync(join(tmpdir(), "matomo-misc-claim-"));
            chmodSync(dir, 0o755);
        });
        after(() => {
            if (dir) rmSync(dir, { recursive: true, force: true }); // unset when the suite was skipped
        });

        /** The script as Matomo's user (uid 33) would run it, on a code tree and a webroot whose misc/ is `owner`'s. */
        function prepare(owner: number) {
            const root = join(dir, String(owner));
            const [code, webroot] = ["code", "webroot"].map((d) => join(root, d));
            for (const d of [join(code, "core"), join(code, "misc", "user"), join(webroot, "misc")])
                mkdirSync(d, { recursive: true, mode: 0o755 });
            writeFileSync(join(code, "matomo.php"), "<?php\n");
            writeFileSync(join(code, "core", "Version.php"), "<?php\nfinal class Version { const VERSION = '5.11.2'; }\n");
            const script = prepareWebrootScript({ copyConfig: false, paths: { code, webroot } });
            // As root, the test runs the script as uid 33 with the misc/ of `owner`; otherwise the
            // test's own user stands in for uid 33, and a misc/ of someone else is one it cannot write.
            const root0 = process.getuid?.() === 0;
            if (root0) {
                chownSync(join(webroot), 33, 33);
                chownSync(join(webroot, "misc"), owner, owner);
            } else if (owner !== 33) chmodSync(join(webroot, "misc"), 0o555);
            const command = root0 ? ["setpriv", "--reuid=33", "--regid=33", "--clear-groups", "sh", "-c", script] : ["sh", "-c", script];
            return spawnSync(command[0], command.slice(1), { encoding: "utf8" });
        }

        it("stops the pod saying whose files to change, instead of failing in the copy", () => {
            // The seed chart's Bitnami-era volume: its files belonged to daemon (uid 1).
            const result = prepare(1);
            assert.equal(result.status, 1);
            assert.match(
                result.stderr,
                /misc\/ \(the misc\/ claim\) is not writable by Matomo's user \(uid \d+\): give its files to that user/,
            );
        });

        it("copies the image's misc/ files onto a claim Matomo's user owns", () => {
            const result = prepare(33);
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stdout, /code is in place/);
        });
    });

    describe("MariaDB's data directory on a claim of an earlier installation", () => {
        let onClaim: ProgramRun;
        before(async () => {
            const config = withChanges(
                withChanges(stackConfig("dev"), { "matomo:mariadb": { password: "chart-user-1", rootPassword: "chart-root-1" } }, [
                    "matomo:mariadb",
                ]),
                { "matomo:mariadb": { storage: null, existingClaim: "data-chart-mariadb-0", existingClaimSubPath: "data" } },
            );
            onClaim = await run(config);
        });

        const statefulSet = () => one(onClaim, "kubernetes:apps/v1:StatefulSet");

        it("makes no claim from a template: the pod mounts the named claim's directory as the data directory", () => {
            const spec = statefulSet().inputs.spec;
            assert.equal(spec.volumeClaimTemplates, undefined);
            const pod = podSpecOf(statefulSet());
            assert.deepEqual(
                pod.volumes!.find((v) => v.name === "data"),
                { name: "data", persistentVolumeClaim: { claimName: "data-chart-mariadb-0" } },
            );
            assert.deepEqual(mountsOf(pod, "data"), [
                { container: "check-data-directory", mount: { name: "data", mountPath: "/var/lib/mysql", subPath: "data" } },
                { container: "mariadb", mount: { name: "data", mountPath: "/var/lib/mysql", subPath: "data" } },
            ]);
        });

        it("checks the data directory with the server's own image before the entrypoint starts, as MariaDB's user", () => {
            const pod = podSpecOf(statefulSet());
            const [check] = pod.initContainers!;
            assert.equal(check.name, "check-data-directory");
            assert.equal(check.image, pod.containers[0].image);
            assert.deepEqual(check.env, [
                { name: "CHECK_DATA_DIR", value: "/var/lib/mysql" },
                { name: "CHECK_CLAIM", value: "data-chart-mariadb-0" },
                { name: "CHECK_SUB_PATH", value: "data" },
            ]);
            assert.equal(pod.securityContext!.runAsUser, 999);
        });

        it("keeps the stack's own claim template, and no check, without it", async () => {
            const dev = await run(stackConfig("dev"));
            const spec = one(dev, "kubernetes:apps/v1:StatefulSet").inputs.spec;
            assert.deepEqual(
                spec.volumeClaimTemplates.map((t: { metadata: { name: string } }) => t.metadata.name),
                ["data"],
            );
            assert.equal(podSpecOf(one(dev, "kubernetes:apps/v1:StatefulSet")).initContainers, undefined);
        });
    });
});
