/** Database backups in the configuration: on by default with MariaDB, off when asked, counted in the connection budget. */
import assert from "node:assert/strict";
import { eea, valid } from "./support/configCases";
import { all, run, stackConfig, withChanges } from "./support/harness";

describe("backup configuration", () => {
    it("dumps MariaDB nightly by default, keeping 7 backups with the uploaded logos", () => {
        const backup = eea(valid({})).mariadb.backup!;
        assert.deepEqual(
            { schedule: backup.schedule, keep: backup.keep, uploads: backup.uploads, storage: backup.storage },
            { schedule: "30 1 * * *", keep: 7, uploads: true, storage: "10Gi" },
        );
        assert.ok(eea(valid({})).connectionBudget.some((line) => line.what === "database backup"));
    });

    it("creates no backup objects when turned off", async () => {
        const off = await run(withChanges(stackConfig("dev"), { "matomo:mariadb": { backup: { enabled: false } } }));
        const names = all(off, "kubernetes:batch/v1:CronJob").map((c) => c.inputs.metadata.name as string);
        assert.ok(!names.some((n) => n.startsWith("mariadb-")), names.join(", "));
        assert.ok(!all(off, "kubernetes:core/v1:PersistentVolumeClaim").some((c) => c.inputs.metadata.name === "mariadb-backups"));
    });
});
