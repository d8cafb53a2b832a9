/**
 * The providers' config namespaces: a key the kubernetes or gcp provider does not know is refused
 * (the provider would ignore it, and a misspelt `kubernetes:context` deploys to the current
 * kubeconfig context), as are keys that do nothing here. The known keys are the installed SDKs'.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { GCP_CONFIG_KEYS, KUBERNETES_CONFIG_KEYS } from "../components/config/providerKeys";
import { parse } from "./support/configCases";
import { ROOT, stackConfig } from "./support/harness";
import { propertyRuns } from "./support/unitMode";

const sdkFile = (path: string) => readFileSync(join(ROOT, "node_modules", "@pulumi", path), "utf8");
/** Keys the kubernetes provider reads that its SDK's ProviderArgs leave out (its configuration reference names them). */
const KUBERNETES_BINARY_ONLY = ["strictMode"];

const providerIssues = (changes: Record<string, string>, base = stackConfig("dev")) =>
    parse(changes, base).issues.filter((i) => /^(kubernetes|gcp):/.test(i.key));

/** A key one typo away from `key`: a letter dropped, doubled or swapped with the next. */
const typoOf = (key: string) =>
    fc
        .integer({ min: 0, max: key.length - 2 })
        .chain((i) =>
            fc.constantFrom(
                key.slice(0, i) + key.slice(i + 1),
                key.slice(0, i) + key[i] + key.slice(i),
                key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2),
            ),
        );

describe("provider keys", () => {
    it("are the keys of the installed SDKs: kubernetes' ProviderArgs, gcp's config variables", () => {
        const providerArgs = /export interface ProviderArgs \{([\s\S]*?)\n\}/.exec(sdkFile("kubernetes/provider.d.ts"))![1];
        const kubernetes = [...providerArgs.matchAll(/^ {4}(\w+)\?:/gm)].map((m) => m[1]);
        assert.deepEqual([...KUBERNETES_CONFIG_KEYS].sort(), [...kubernetes, ...KUBERNETES_BINARY_ONLY].sort());
        const gcp = [...sdkFile("gcp/config/vars.d.ts").matchAll(/^export declare const (\w+):/gm)].map((m) => m[1]);
        assert.deepEqual([...GCP_CONFIG_KEYS].sort(), gcp.sort());
    });

    it("refuse a misspelt kubernetes key, saying what the provider would do instead and what was meant", () => {
        const [issue, ...more] = providerIssues({ "kubernetes:contxt": "prod-cluster" });
        assert.deepEqual(more, []);
        assert.equal(issue.key, "kubernetes:contxt");
        assert.match(
            issue.message,
            /ignores it without a word, so the program would deploy to the current kubeconfig context; did you mean "kubernetes:context"\?/,
        );
    });

    it("refuse a misspelt gcp key, naming the closest ones", () => {
        const [issue] = providerIssues({ "gcp:regoin": "europe-west1" }, stackConfig("prod"));
        assert.match(issue.message, /did you mean "gcp:region"\? \(the closest of its keys are region, /);
    });

    it("refuse keys that do nothing here, or would stop every object from deploying", () => {
        assert.match(
            providerIssues({ "kubernetes:namespace": "matomo" })[0].message,
            /^has no effect: every object this program creates names its own namespace, matomo:namespace/,
        );
        assert.match(
            providerIssues({ "gcp:project": "acme" })[0].message,
            /^has no effect: topology "eea" creates nothing on Google Cloud/,
        );
        assert.match(providerIssues({ "kubernetes:strictMode": "true" })[0].message, /disables the default kubernetes provider/);
        assert.deepEqual(providerIssues({ "kubernetes:strictMode": "false" }), []);
    });

    it("accept every key the providers know (gcp's with topology google)", () => {
        fc.assert(
            fc.property(fc.constantFrom(...KUBERNETES_CONFIG_KEYS.filter((k) => !["namespace", "strictMode"].includes(k))), (key) => {
                assert.deepEqual(providerIssues({ [`kubernetes:${key}`]: "x" }), [], key);
            }),
            { numRuns: propertyRuns(30) },
        );
        const prod = stackConfig("prod");
        fc.assert(
            // gcp:project and gcp:region are also read (and checked) by matomo:cloudsql.
            fc.property(fc.constantFrom(...GCP_CONFIG_KEYS.filter((k) => !["project", "region"].includes(k))), (key) => {
                assert.deepEqual(providerIssues({ [`gcp:${key}`]: "x" }, prod), [], key);
            }),
            { numRuns: propertyRuns(60) },
        );
    });

    it("refuse any key one typo away from a known one, suggesting a known key", () => {
        const misspelt = fc.oneof(
            fc.constantFrom(...KUBERNETES_CONFIG_KEYS).chain((k) => typoOf(k).map((t) => ["kubernetes", t] as const)),
            fc.constantFrom(...GCP_CONFIG_KEYS).chain((k) => typoOf(k).map((t) => ["gcp", t] as const)),
        );
        const prod = stackConfig("prod");
        fc.assert(
            fc.property(misspelt, ([namespace, key]) => {
                const known = namespace === "kubernetes" ? KUBERNETES_CONFIG_KEYS : GCP_CONFIG_KEYS;
                fc.pre(!known.includes(key));
                const issues = providerIssues({ [`${namespace}:${key}`]: "x" }, prod);
                assert.equal(issues.length, 1, key);
                const meant = /did you mean "(\w+):(\w+)"\?/.exec(issues[0].message);
                assert.ok(meant && meant[1] === namespace && known.includes(meant[2]), issues[0].message);
            }),
            { numRuns: propertyRuns(100) },
        );
    });
});
