/**
 * Which pull secrets a pod lists: those of every image it runs, joined with the stack-wide ones,
 * each once, in the order first seen.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { podImagePullSecrets, unionOfNames, withStackPullSecrets, type ImageRef } from "../components/k8s/image";

const name = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const names = fc.array(name, { maxLength: 6 });
const image = (pullSecrets?: string[]): ImageRef => ({
    reference: "registry.example.com/matomo:5",
    pullPolicy: "IfNotPresent",
    pullSecrets,
});

describe("image pull secrets", () => {
    describe("a pod's list", () => {
        it("is unset for a pod whose images need none, and joins the rest in the order first seen", () => {
            assert.equal(podImagePullSecrets([image(), image([]), undefined, {}]), undefined);
            assert.deepEqual(podImagePullSecrets([image(["matomo-registry", "mirror"]), { pullSecrets: ["mirror", "proxy-registry"] }]), [
                { name: "matomo-registry" },
                { name: "mirror" },
                { name: "proxy-registry" },
            ]);
        });

        it("puts the stack-wide secrets before an image's own, once each", () => {
            const pulled = withStackPullSecrets(image(["matomo-registry", "mirror"]), ["mirror", "everywhere"]);
            assert.deepEqual(pulled.pullSecrets, ["mirror", "everywhere", "matomo-registry"]);
            assert.equal(pulled.reference, "registry.example.com/matomo:5");
            assert.deepEqual(withStackPullSecrets(image(), []).pullSecrets, []);
        });

        it("lists every secret of every image exactly once, the stack-wide ones first, in a stable order", () => {
            fc.assert(
                fc.property(names, fc.array(fc.option(names, { nil: undefined }), { maxLength: 4 }), (stackWide, perImage) => {
                    const images = perImage.map((own) => withStackPullSecrets(image(own), stackWide));
                    const listed = (podImagePullSecrets(images) ?? []).map((s) => s.name);
                    const expected = new Set([...stackWide, ...perImage.flatMap((own) => own ?? [])]);
                    // Every pod runs an image: with one, the stack-wide secrets are always listed.
                    if (images.length > 0) assert.deepEqual(new Set(listed), expected);
                    assert.equal(new Set(listed).size, listed.length, "no name twice");
                    if (images.length > 0) assert.deepEqual(listed.slice(0, new Set(stackWide).size), [...new Set(stackWide)]);
                    // The order is the first sighting's: the same images in the same order give the same list.
                    assert.deepEqual(listed, unionOfNames(images.map((i) => i.pullSecrets)));
                }),
            );
        });

        it("is the same whichever images repeat, and grows with an image's new secret only", () => {
            fc.assert(
                fc.property(fc.array(names, { minLength: 1, maxLength: 4 }), name, (lists, extra) => {
                    const images = lists.map((own) => image(own));
                    const once = podImagePullSecrets(images);
                    assert.deepEqual(podImagePullSecrets([...images, ...images]), once);
                    const grown = (podImagePullSecrets([...images, image([extra])]) ?? []).map((s) => s.name);
                    const before = (once ?? []).map((s) => s.name);
                    assert.deepEqual(grown, before.includes(extra) ? before : [...before, extra]);
                }),
            );
        });
    });
});
