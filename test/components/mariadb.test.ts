/** The MariaDb component on its own: what it creates from its args alone. */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { MariaDb, type MariaDbArgs } from "../../components/database/mariadb";
import { revealSecrets } from "../../scripts/lib/mockEngine";
import { buildAlone, INSTALLATION } from "../support/component";
import { all, one } from "../support/harness";
import { assertPlaced, SAMPLE_PLACEMENT } from "../support/placement";

const ARGS: MariaDbArgs = {
    ...INSTALLATION,
    image: { reference: "mariadb:10.11.18", pullPolicy: "Always" },
    database: "analytics",
    user: "analytics",
    password: pulumi.secret("user-password-1"),
    serverOptions: [
        { name: "max_connections", value: "50" },
        { name: "skip_name_resolve" },
        { name: "collation_server", value: "utf8mb4_unicode_ci" },
    ],
    storage: "3Gi",
    resources: { requests: { memory: "1Gi", cpu: "100m" }, limits: { memory: "2Gi" } },
    timezone: "UTC",
};

const build = (args: Partial<MariaDbArgs> = {}) => buildAlone(() => new MariaDb("db", { ...ARGS, ...args }));
const PASSWORD = "random:index/randomPassword:RandomPassword";

describe("MariaDb", () => {
    it("puts its pod where the placement says", async () => {
        assertPlaced(one(await build({ placement: SAMPLE_PLACEMENT }), "kubernetes:apps/v1:StatefulSet"));
    });

    it("generates a root password of its own when none is given, and puts both passwords into its Secret", async () => {
        const run = await build();
        const generated = one(run, PASSWORD, "db-root-password");
        const secret = revealSecrets(one(run, "kubernetes:core/v1:Secret", "db-credentials").inputs.stringData) as Record<string, string>;
        assert.deepEqual(secret, { password: "user-password-1", "root-password": revealSecrets(generated.state.result) });
    });

    it("takes a given root password instead, and generates nothing", async () => {
        const run = await build({ rootPassword: pulumi.secret("given-root-password-1") });
        assert.equal(all(run, PASSWORD).length, 0);
        const secret = revealSecrets(one(run, "kubernetes:core/v1:Secret", "db-credentials").inputs.stringData) as Record<string, string>;
        assert.equal(secret["root-password"], "given-root-password-1");
    });

    it("writes each server option on a line of its own, bare flags without a value", async () => {
        const cnf = one(await build(), "kubernetes:core/v1:ConfigMap", "db-server-config").inputs.data["matomo.cnf"] as string;
        assert.deepEqual(cnf.split("\n").slice(2, 6), [
            "[mysqld]",
            "max_connections = 50",
            "skip_name_resolve",
            "collation_server = utf8mb4_unicode_ci",
        ]);
    });

    it("tells Matomo the charset and collation the server creates databases with", async () => {
        let endpoint: MariaDb["endpoint"] | undefined;
        await buildAlone(() => (endpoint = new MariaDb("db", ARGS).endpoint));
        assert.deepEqual(
            [endpoint!.schema, endpoint!.charset, endpoint!.collation, endpoint!.port],
            ["Mariadb", "utf8mb4", "utf8mb4_unicode_ci", 3306],
        );
    });

    it("runs the image with its pull policy, sized and zoned from its args", async () => {
        const sts = one(await build(), "kubernetes:apps/v1:StatefulSet").inputs;
        const container = sts.spec.template.spec.containers[0];
        assert.deepEqual([container.image, container.imagePullPolicy], ["mariadb:10.11.18", "Always"]);
        assert.equal(container.env.find((e: { name: string }) => e.name === "TZ").value, "UTC");
        assert.equal(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "3Gi");
        assert.equal(sts.spec.volumeClaimTemplates[0].spec.storageClassName, undefined, "the cluster's default class");
        assert.equal(sts.metadata.namespace, "analytics");
    });

    it("keeps its claim by default, and lets it go when told", async () => {
        const policy = async (retainStorage?: boolean) =>
            one(await build({ retainStorage }), "kubernetes:apps/v1:StatefulSet").inputs.spec.persistentVolumeClaimRetentionPolicy
                .whenDeleted;
        assert.equal(await policy(undefined), "Retain");
        assert.equal(await policy(false), "Delete");
    });

    it("runs on a claim that exists already, at the directory named, checked before the server starts", async () => {
        const sts = one(await build({ existingClaim: { name: "old-data", subPath: "data" } }), "kubernetes:apps/v1:StatefulSet").inputs;
        const pod = sts.spec.template.spec;
        assert.equal(sts.spec.volumeClaimTemplates, undefined);
        assert.deepEqual(pod.volumes[0], { name: "data", persistentVolumeClaim: { claimName: "old-data" } });
        assert.deepEqual(pod.containers[0].volumeMounts[0], { name: "data", mountPath: "/var/lib/mysql", subPath: "data" });
        assert.deepEqual(
            pod.initContainers.map((c: { name: string; image: string }) => [c.name, c.image]),
            [["check-data-directory", "mariadb:10.11.18"]],
        );
    });

    it("lists the pull secrets of its image in the server's pod, whose init containers run the same image", async () => {
        const pod = (run: Awaited<ReturnType<typeof build>>) => one(run, "kubernetes:apps/v1:StatefulSet").inputs.spec.template.spec;
        const image = { ...ARGS.image, pullSecrets: ["db-registry"] };
        assert.deepEqual(pod(await build({ image })).imagePullSecrets, [{ name: "db-registry" }]);
        assert.equal(pod(await build()).imagePullSecrets, undefined);
    });
});
