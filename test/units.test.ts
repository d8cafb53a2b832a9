import assert from "node:assert/strict";
import { closestMatch, describeValue } from "../components/config/schema/text";
import {
    checkByteQuantity,
    checkCpuQuantity,
    formatBytes,
    normalizePhpSize,
    parseMariadbSize,
    parseQuantity,
    phpSizeBytes,
} from "../components/k8s/units";
import {
    checkAnnotationKey,
    checkHostname,
    checkImageRepository,
    checkImageTag,
    checkIniSafeSecret,
    checkTimezone,
} from "../components/config/schema/validators";
import { imageReference } from "../components/k8s/image";

describe("Kubernetes quantities", () => {
    it("parses binary, decimal, milli and exponent forms", () => {
        assert.equal(parseQuantity("2Gi"), 2 * 2 ** 30);
        assert.equal(parseQuantity("512Mi"), 512 * 2 ** 20);
        assert.equal(parseQuantity("1G"), 1e9);
        assert.equal(parseQuantity("250m"), 0.25);
        assert.equal(parseQuantity("1.5"), 1.5);
        assert.equal(parseQuantity("1e3"), 1000);
        for (const bad of ["", "5 Gi", "10GB", "Gi", "1.2.3", "2gi"]) assert.equal(parseQuantity(bad), undefined, bad);
    });

    it("checks memory and CPU quantities", () => {
        assert.equal(checkByteQuantity("10Gi"), undefined);
        assert.match(checkByteQuantity("0")!, /greater than zero/);
        assert.match(checkByteQuantity("100m")!, /whole number/);
        assert.equal(checkCpuQuantity("250m"), undefined);
        assert.match(checkCpuQuantity("0")!, /at least 1m/);
    });

    it("formats byte counts in binary units", () => {
        assert.equal(formatBytes(7168 * 2 ** 20), "7Gi");
        assert.equal(formatBytes(1408 * 2 ** 20), "1408Mi");
        assert.equal(formatBytes(1000), "1000");
    });
});

describe("PHP sizes", () => {
    it("turns the seed's Kubernetes-style 4096Mi into the 4096M PHP understands", () => {
        assert.equal(normalizePhpSize("4096Mi"), "4096M");
        assert.equal(normalizePhpSize("7168Mi"), "7168M");
        assert.equal(normalizePhpSize("2Gi"), "2G");
        assert.equal(normalizePhpSize("512m"), "512M");
        assert.equal(normalizePhpSize("-1"), "-1");
        assert.equal(normalizePhpSize("1048576"), "1048576");
        for (const bad of ["4 GB", "lots", "4096MB", "1.5G"]) assert.equal(normalizePhpSize(bad), undefined, bad);
    });

    it("counts bytes the way PHP does (K, M and G are binary)", () => {
        assert.equal(phpSizeBytes("4096M"), 4 * 2 ** 30);
        assert.equal(phpSizeBytes("2G"), 2 * 2 ** 30);
        assert.equal(phpSizeBytes("-1"), Infinity);
    });
});

describe("MariaDB sizes", () => {
    it("reads option sizes with K/M/G/T suffixes", () => {
        assert.equal(parseMariadbSize("128M"), 128 * 2 ** 20);
        assert.equal(parseMariadbSize("10G"), 10 * 2 ** 30);
        assert.equal(parseMariadbSize("1g"), 2 ** 30);
        assert.equal(parseMariadbSize("67108864"), 67108864);
        assert.equal(parseMariadbSize("ten"), undefined);
    });
});

describe("value checks", () => {
    it("accept good hostnames and explain bad ones", () => {
        assert.equal(checkHostname("analytics.example.com"), undefined);
        assert.match(checkHostname("https://a.example.com")!, /scheme/);
        assert.match(checkHostname("a.example.com:8443")!, /port/);
        assert.match(checkHostname("*.example.com")!, /wildcard/);
        assert.match(checkHostname("bad_host.example.com")!, /labels/);
    });

    it("know IANA time zones", () => {
        assert.equal(checkTimezone("Europe/Copenhagen"), undefined);
        assert.equal(checkTimezone("UTC"), undefined);
        assert.equal(checkTimezone("America/Argentina/Buenos_Aires"), undefined);
        assert.ok(checkTimezone("Europe/Atlantis"));
        assert.ok(checkTimezone("CEST+2"));
    });

    it("check image repositories, tags and digests", () => {
        assert.equal(checkImageRepository("matomo"), undefined);
        assert.equal(checkImageRepository("registry.example.com:5000/team/matomo"), undefined);
        assert.equal(checkImageRepository("gcr.io/cloud-sql-connectors/cloud-sql-proxy"), undefined);
        assert.ok(checkImageRepository("matomo:5"));
        assert.ok(checkImageRepository("matomo@sha256:abc"));
        assert.equal(checkImageTag("5.11.2-apache"), undefined);
        assert.equal(checkImageTag(`sha256:${"a".repeat(64)}`), undefined);
        assert.ok(checkImageTag("latest"));
        assert.ok(checkImageTag("-bad"));
        assert.equal(imageReference({ repository: "matomo", tag: "5.11.2-apache" }), "matomo:5.11.2-apache");
        assert.equal(imageReference({ repository: "matomo", tag: `sha256:${"b".repeat(64)}` }), `matomo@sha256:${"b".repeat(64)}`);
    });

    it("keep secrets config.ini.php can hold", () => {
        assert.equal(checkIniSafeSecret("Pa$$;w'rd=#long enough"), undefined);
        for (const bad of ['has"quote-long', "back\\slash-long", "line\nbreak-long", "x${HOME}-long", "short"]) {
            assert.ok(checkIniSafeSecret(bad), bad);
        }
    });

    it("check annotation keys", () => {
        assert.equal(checkAnnotationKey("nginx.ingress.kubernetes.io/proxy-body-size"), undefined);
        assert.equal(checkAnnotationKey("simple"), undefined);
        assert.ok(checkAnnotationKey("Bad_Prefix!/x"));
        assert.ok(checkAnnotationKey("a/" + "x".repeat(64)));
    });
});

describe("message helpers", () => {
    it("suggest the key a typo meant, and nothing for unrelated words", () => {
        assert.equal(closestMatch("hostnmae", ["hostname", "image"]), "hostname");
        assert.equal(closestMatch("replicas", ["replicaCount", "image"]), undefined);
        assert.equal(closestMatch("Storage", ["storage"]), "storage");
        assert.equal(closestMatch("tire", ["tier", "edition"]), "tier", "a swap of two letters is one typo");
    });

    it("show values as JSON, strings quoted", () => {
        assert.equal(describeValue("x"), '"x"');
        assert.equal(describeValue(3), "3");
        assert.equal(describeValue(undefined), "nothing");
    });
});
