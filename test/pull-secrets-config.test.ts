/**
 * `imagePullSecrets` and each image's `pullSecrets` in the config: names of Secrets Kubernetes
 * accepts, each once, none in both lists; and refused, naming the key, before anything is created.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { schema } from "../components/config/keys";
import { checkSecretName, firstRepeat } from "../components/config/schema/pullSecrets";
import { allFields } from "../components/config/schema/walk";
import { imageKeys } from "../components/config/sections/pullSecrets";
import { assertRejected, eea, google, parse, valid } from "./support/configCases";

const names = fc.array(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/), { maxLength: 6 });

describe("pull secrets in the config", () => {
    it("are none by default, stack-wide or for any image", () => {
        const cfg = eea(valid({}));
        assert.deepEqual(cfg.imagePullSecrets, []);
        assert.deepEqual(cfg.matomo.image.pullSecrets, []);
        assert.deepEqual(cfg.mariadb.image.pullSecrets, []);
    });

    it("are read stack-wide and beside each image's repository and tag", () => {
        const cfg = eea(
            valid({
                "matomo:imagePullSecrets": ["regcred", "mirror.example.com"],
                "matomo:matomo": { image: { repository: "registry.example.com/matomo-ldap", pullSecrets: ["matomo-registry"] } },
                "matomo:mariadb": { image: { pullSecrets: ["db-registry"] } },
                "matomo:geoipupdate": { image: { pullSecrets: ["geoip-registry"] } },
            }),
        );
        assert.deepEqual(cfg.imagePullSecrets, ["regcred", "mirror.example.com"]);
        assert.deepEqual(cfg.matomo.image.pullSecrets, ["matomo-registry"]);
        assert.deepEqual(cfg.mariadb.image.pullSecrets, ["db-registry"]);
        assert.deepEqual(cfg.geoip?.image.pullSecrets, ["geoip-registry"]);
        const proxy = google(
            valid({
                "matomo:topology": "google",
                "matomo:mariadb": null,
                "matomo:cloudsql": { project: "acme-analytics", region: "europe-north1", proxy: { image: { pullSecrets: ["gcr"] } } },
            }),
        );
        assert.deepEqual(proxy.cloudsql.proxy.image.pullSecrets, ["gcr"]);
    });

    it("cover every image key of the schema, so that a new image cannot miss the rule across the lists", () => {
        const inSchema = allFields(schema)
            .filter(({ field }) => field.fields?.pullSecrets !== undefined && field.fields.repository !== undefined)
            .map(({ path }) => path.join("."));
        // Only the paths matter here: any value stands in for the parsed keys.
        const anyValue: object = new Proxy({}, { get: () => anyValue });
        const ruled = imageKeys(anyValue as Parameters<typeof imageKeys>[0]).map((k) => k.path);
        assert.deepEqual(ruled.sort(), inSchema.sort());
    });

    it("refuse a name the API server would refuse for a Secret, naming the key and the entry", () => {
        assertRejected(
            { "matomo:imagePullSecrets": ["RegCred"] },
            "matomo:imagePullSecrets[0]",
            'got "RegCred"; expected the name of a Secret',
        );
        assertRejected({ "matomo:imagePullSecrets": ["regcred", "reg_cred"] }, "matomo:imagePullSecrets[1]", "DNS subdomain");
        assertRejected({ "matomo:matomo": { image: { pullSecrets: ["-x"] } } }, "matomo:matomo.image.pullSecrets[0]", "DNS subdomain");
        assertRejected(
            { "matomo:imagePullSecrets": "regcred" },
            "matomo:imagePullSecrets",
            "expected structured (list of string) configuration",
        );
        assertRejected({ "matomo:imagePullSecrets": [""] }, "matomo:imagePullSecrets[0]", "expected the name of a Secret");
    });

    it("refuse a name listed twice, at the second entry", () => {
        assertRejected(
            { "matomo:imagePullSecrets": ["regcred", "mirror", "regcred"] },
            "matomo:imagePullSecrets[2]",
            'got "regcred", which is listed already at [0]; list each Secret once',
        );
        assertRejected(
            { "matomo:mariadb": { backup: { offsite: { image: { pullSecrets: ["a", "a"] } } } } },
            "matomo:mariadb.backup.offsite.image.pullSecrets[1]",
            "listed already at [0]",
        );
    });

    it("refuse an image's secret that the stack-wide list has already, as without effect", () => {
        assertRejected(
            {
                "matomo:imagePullSecrets": ["regcred"],
                "matomo:matomo": { webServer: { variant: "fpm", nginx: { image: { pullSecrets: ["own", "regcred"] } } } },
            },
            "matomo:matomo.webServer.nginx.image.pullSecrets[1]",
            'got "regcred", which matomo:imagePullSecrets lists already for every pod; remove it here',
        );
        const { issues } = parse({
            "matomo:imagePullSecrets": ["regcred"],
            "matomo:rsyncAnalytics": { image: { pullSecrets: ["regcred"] } },
        });
        assert.ok(
            issues.some((i) => i.key === "matomo:rsyncAnalytics.image.pullSecrets[0]"),
            JSON.stringify(issues),
        );
    });

    describe("a secret's name", () => {
        it("is what the API server accepts of a Secret: a DNS subdomain of at most 253 characters", () => {
            for (const ok of ["regcred", "ghcr-io", "registry.example.com", "a", "0", `${"a".repeat(64)}.b`, "a".repeat(253)]) {
                assert.equal(checkSecretName(ok), undefined, ok);
            }
            for (const bad of [
                "",
                "RegCred",
                "reg_cred",
                "-regcred",
                "regcred-",
                "reg..cred",
                ".regcred",
                "regcred.",
                "reg cred",
                "a".repeat(254),
            ]) {
                assert.match(checkSecretName(bad) ?? "", /DNS subdomain of at most 253 characters/, bad);
            }
        });

        it("is accepted for every list of DNS labels joined by dots within 253 characters", () => {
            fc.assert(
                fc.property(
                    fc.array(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/), { minLength: 1, maxLength: 5 }),
                    (labels) => {
                        assert.equal(checkSecretName(labels.join(".")), undefined);
                        assert.notEqual(
                            checkSecretName(labels.join("..")),
                            labels.length > 1 ? undefined : checkSecretName(labels[0] + "."),
                        );
                        assert.notEqual(checkSecretName(labels.join(".").toUpperCase() + "X"), undefined);
                    },
                ),
            );
        });
    });

    it("finds the first entry that repeats an earlier one", () => {
        assert.equal(firstRepeat(["a", "b", "c"]), undefined);
        assert.deepEqual(firstRepeat(["a", "b", "a", "b"]), { index: 2, first: 0 });
        fc.assert(
            fc.property(names, (list) => {
                const repeat = firstRepeat(list);
                assert.equal(repeat === undefined, new Set(list).size === list.length);
                if (repeat) assert.equal(list[repeat.index], list[repeat.first]);
            }),
        );
    });
});
