/** `app.kubernetes.io/version`: on workloads and their pods where the image says it, never where it cannot change. */
import assert from "node:assert/strict";
import { versionLabel } from "../components/k8s/labels";
import { podLabelsOf, podSpecOf, workloads } from "./support/harness";
import { VARIANTS } from "./support/variants";

const VERSION = "app.kubernetes.io/version";

describe("version labels", () => {
    it("are the image's tag, and absent for a digest or a tag that is no label value", () => {
        assert.deepEqual(versionLabel({ reference: "matomo:5.11.2-apache" }), { [VERSION]: "5.11.2-apache" });
        assert.deepEqual(versionLabel({ reference: "registry.example.com:5000/matomo:5.11.2" }), { [VERSION]: "5.11.2" });
        assert.deepEqual(versionLabel({ reference: `matomo@sha256:${"a".repeat(64)}` }), {});
        assert.deepEqual(versionLabel({ reference: "registry.example.com:5000/matomo" }), {}, "no tag: the port is no version");
        assert.deepEqual(versionLabel({ reference: `matomo:${"1".repeat(64)}` }), {}, "longer than a label value may be");
    });

    for (const [variant, runVariant] of Object.entries(VARIANTS)) {
        it(`sit on every workload and pod whose main image has a tag, never on selectors or claim templates (${variant})`, async () => {
            const result = await runVariant();
            const web = workloads(result).find((w) => podLabelsOf(w)["app.kubernetes.io/component"] === "web")!;
            const matomoImage = podSpecOf(web).containers.find((c) => c.name === "matomo" || c.name === "php-fpm")?.image ?? "";
            for (const w of workloads(result)) {
                const pod = podSpecOf(w);
                // With an off-site copy, the dump runs first as an init container and rclone after it.
                const main = pod.containers.find((c) => c.name !== "copy-offsite") ?? pod.initContainers!.find((c) => c.name === "backup")!;
                const labels = podLabelsOf(w);
                if (labels["app.kubernetes.io/component"] === "log-sync") {
                    assert.equal(labels[VERSION], undefined, "the fetch runs rsync, not Matomo");
                    continue;
                }
                // Matomo's pods (the log import's Python container too) carry the Matomo image's version.
                const image = labels["app.kubernetes.io/name"] === "matomo" ? matomoImage : main.image;
                const expected = image.includes("@") ? undefined : image.slice(image.lastIndexOf(":") + 1);
                assert.equal(labels[VERSION], expected, `${w.name} pods`);
                assert.equal(w.inputs.metadata.labels[VERSION], expected, w.name);
                assert.equal(w.inputs.spec.selector?.matchLabels?.[VERSION], undefined, `${w.name} selector`);
                for (const claim of w.inputs.spec.volumeClaimTemplates ?? []) assert.equal(claim.metadata.labels?.[VERSION], undefined);
            }
        });
    }
});
