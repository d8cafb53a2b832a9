/**
 * Pull secrets as the whole program renders them: every pod template of every workload lists the
 * stack-wide secrets first, then those of the images its containers and init containers run, each
 * once, and nothing else; a stack without pull secrets leaves the field unset everywhere.
 */
import assert from "node:assert/strict";
import { parseConfig, type MatomoConfig } from "../components/config";
import type { Image } from "../components/config/schema/parts";
import type { ProgramRun } from "../scripts/lib/mockEngine";
import type { StackConfig } from "../scripts/lib/stackFile";
import { DEV_EXTRAS, podSpecOf, run, sourceOf, stackConfig, withChanges, workloads } from "./support/harness";
import { everyCronJobConfig, EVERYTHING_ON } from "./support/variants";

/** Every image the config names, by the reference a container runs. */
function imagesOf(cfg: MatomoConfig): Map<string, readonly string[]> {
    const images: (Image | undefined)[] = [
        cfg.matomo.image,
        cfg.webServer.nginx?.image,
        cfg.geoip?.image,
        cfg.logImport?.fetch.image,
        cfg.logImport?.importer.image,
        cfg.monitoring?.webExporter.image,
        ...(cfg.topology === "eea"
            ? [cfg.mariadb.image, cfg.mariadb.backup?.offsite?.image]
            : cfg.topology === "google"
              ? [cfg.cloudsql.proxy.image]
              : [cfg.external.backup?.image, cfg.external.backup?.offsite?.image]),
    ];
    const byReference = new Map<string, readonly string[]>();
    for (const image of images.filter((i) => i !== undefined)) {
        const known = byReference.get(image.reference);
        assert.ok(known === undefined || known.join() === image.pullSecrets.join(), `one image, two lists: ${image.reference}`);
        byReference.set(image.reference, image.pullSecrets);
    }
    return byReference;
}

/** Each workload's pod pull secrets against the images its containers run; the number of pods that list any. */
function checkEveryPod(result: ProgramRun, cfg: MatomoConfig): number {
    const images = imagesOf(cfg);
    let listing = 0;
    for (const workload of workloads(result)) {
        const pod = podSpecOf(workload);
        const references = [...(pod.initContainers ?? []), ...pod.containers].map((c) => c.image);
        const own = references.flatMap((reference) => {
            assert.ok(images.has(reference), `${workload.name} runs ${reference}, which no image key names`);
            return images.get(reference)!;
        });
        const expected = new Set([...cfg.imagePullSecrets, ...own]);
        const listed = ((pod as { imagePullSecrets?: { name: string }[] }).imagePullSecrets ?? []).map((s) => s.name);
        assert.equal(new Set(listed).size, listed.length, `${workload.name}: a name twice in ${listed.join(", ")}`);
        // A run skipped for maintenance runs the job's first container alone and keeps the job's list.
        const skipped = pod.containers.length === 1 && pod.containers[0].command?.[0] === "echo";
        if (skipped)
            assert.ok(
                [...expected].every((name) => listed.includes(name)),
                workload.name,
            );
        else assert.deepEqual(new Set(listed), expected, workload.name);
        assert.deepEqual(listed.slice(0, cfg.imagePullSecrets.length), [...cfg.imagePullSecrets], `${workload.name}: stack-wide first`);
        if (expected.size === 0) assert.equal((pod as { imagePullSecrets?: unknown }).imagePullSecrets, undefined, workload.name);
        else listing++;
    }
    return listing;
}

/**
 * Every image with a secret of its own (and one they share with the stack), beside two stack-wide
 * ones, with every CronJob the program can create, php-fpm behind nginx and the off-site copy.
 */
function everyImageConfig(maintenance: { readonly disableUi?: boolean }): StackConfig {
    const own = (name: string) => ({ image: { pullSecrets: [name, "shared"] } });
    return withChanges(everyCronJobConfig(maintenance), {
        "matomo:imagePullSecrets": ["mirror", "company-registry"],
        "matomo:matomo": {
            image: { tag: "5.11.2-fpm", pullSecrets: ["matomo-registry"] },
            webServer: { variant: "fpm", nginx: own("nginx-registry") },
        },
        "matomo:geoipupdate": own("geoip-registry"),
        "matomo:rsyncAnalytics": own("rsync-registry"),
        "matomo:matomoAnalytics": own("python-registry"),
        "matomo:mariadb": {
            ...own("db-registry"),
            backup: { offsite: { url: "s3://backups/matomo", existingSecret: "offsite", image: { pullSecrets: ["rclone-registry"] } } },
        },
        "matomo:networkPolicy": { egressTo: { ldap: ["192.0.2.0/24"], offsite: ["192.0.2.64/28"] } },
    });
}

const stacks: Record<string, { config: () => StackConfig; stack?: string }> = {
    ...Object.fromEntries(Object.entries(EVERYTHING_ON).map(([name, file]) => [name, { config: () => stackConfig(file) }])),
    "dev with GeoIP and mail": { config: () => stackConfig(DEV_EXTRAS) },
    prod: { config: () => stackConfig("prod"), stack: "prod" },
    "a secret for every image, every CronJob, php-fpm behind nginx": { config: () => everyImageConfig({}) },
    "the same in maintenance, every CronJob's run skipped": { config: () => everyImageConfig({ disableUi: true }) },
};

describe("image pull secrets, rendered", () => {
    for (const [name, { config, stack }] of Object.entries(stacks)) {
        it(`every pod lists the stack-wide secrets and those of its own images, and nothing else (${name})`, async () => {
            const { config: cfg, issues } = parseConfig(sourceOf(config(), stack));
            assert.deepEqual(issues, []);
            const listing = checkEveryPod(await run(config(), stack ? { stack } : {}), cfg!);
            assert.equal(listing > 0, cfg!.imagePullSecrets.length > 0, "pods list secrets exactly when the stack has some");
        });
    }
});
