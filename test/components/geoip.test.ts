/** The GeoIpUpdate component on its own: credentials, placement and schedule from its args alone. */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { GeoIpUpdate, type GeoIpUpdateArgs } from "../../components/jobs/geoip";
import { NO_MAINTENANCE } from "../../components/k8s/maintenance";
import { buildAlone, INSTALLATION } from "../support/component";
import { all, one, podSpecOf } from "../support/harness";
import { assertPlaced, SAMPLE_PLACEMENT } from "../support/placement";

function build(changes: Partial<GeoIpUpdateArgs> = {}) {
    return buildAlone(
        () =>
            new GeoIpUpdate("geo", {
                ...INSTALLATION,
                image: { reference: "maxmindinc/geoipupdate:v7.1.1", pullPolicy: "IfNotPresent" },
                timezone: "UTC",
                credentials: { existingSecret: "maxmind" },
                editionIds: "GeoLite2-City GeoLite2-ASN",
                verbose: "0",
                schedule: "@weekly",
                resources: { requests: { memory: "64Mi", cpu: "10m" }, limits: { memory: "128Mi" } },
                history: {
                    ttlSecondsAfterFinished: 60,
                    successfulJobsHistoryLimit: 1,
                    failedJobsHistoryLimit: 1,
                    startingDeadlineSeconds: 60,
                },
                maintenance: NO_MAINTENANCE,
                miscClaimName: "misc",
                ...changes,
            }),
    );
}

const SECRET = "kubernetes:core/v1:Secret";

describe("GeoIpUpdate", () => {
    it("puts the first run's and the CronJob's pods where the placement says, beside the web pods' node", async () => {
        const run = await build({ placement: SAMPLE_PLACEMENT, colocateWith: { app: "web" } });
        for (const workload of [one(run, "kubernetes:batch/v1:Job"), one(run, "kubernetes:batch/v1:CronJob")]) {
            assertPlaced(workload);
            assert.ok((podSpecOf(workload).affinity as Record<string, unknown>).podAffinity, "keeps its own pod affinity");
        }
    });

    it("mounts an existing Secret without creating one", async () => {
        const run = await build();
        assert.equal(all(run, SECRET).length, 0);
        const volume = podSpecOf(one(run, "kubernetes:batch/v1:CronJob")).volumes!.find((v) => v.name === "credentials") as {
            secret: { secretName: string };
        };
        assert.equal(volume.secret.secretName, "maxmind");
    });

    it("keeps credentials it is given in a Secret of its own", async () => {
        const run = await build({ credentials: { accountId: pulumi.secret("1234"), licenseKey: pulumi.secret("key_0123456789") } });
        const secret = one(run, SECRET);
        assert.deepEqual(Object.keys(secret.inputs.stringData.value), ["account-id", "license-key"]);
    });

    it("runs anywhere on a shared claim, and on the web pod's node when told to", async () => {
        assert.equal(podSpecOf(one(await build(), "kubernetes:batch/v1:CronJob")).affinity, undefined);
        const pinned = await build({ colocateWith: { app: "web" } });
        const cron = podSpecOf(one(pinned, "kubernetes:batch/v1:CronJob")).affinity as Record<string, any>;
        assert.deepEqual(cron.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector, { matchLabels: { app: "web" } });
        const initial = podSpecOf(one(pinned, "kubernetes:batch/v1:Job")).affinity as Record<string, any>;
        assert.ok(initial.podAffinity.preferredDuringSchedulingIgnoredDuringExecution, "the first run only prefers that node");
    });

    it("passes the editions and the verbosity as geoipupdate reads them", async () => {
        const env = podSpecOf(one(await build(), "kubernetes:batch/v1:CronJob")).containers[0].env!;
        const value = (name: string) => env.find((e) => e.name === name)!.value;
        assert.deepEqual(
            [value("GEOIPUPDATE_EDITION_IDS"), value("GEOIPUPDATE_VERBOSE"), value("GEOIPUPDATE_FREQUENCY")],
            ["GeoLite2-City GeoLite2-ASN", "0", "0"],
        );
    });

    it("lists the pull secrets of geoipupdate's image, and none without them", async () => {
        const image = { reference: "registry.example.com/geoipupdate:v7.1.1", pullPolicy: "IfNotPresent" as const };
        const cronJob = (run: Awaited<ReturnType<typeof build>>) => podSpecOf(one(run, "kubernetes:batch/v1:CronJob"));
        assert.deepEqual(cronJob(await build({ image: { ...image, pullSecrets: ["geoip-registry"] } })).imagePullSecrets, [
            { name: "geoip-registry" },
        ]);
        assert.equal(cronJob(await build()).imagePullSecrets, undefined);
    });
});
