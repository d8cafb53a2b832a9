/**
 * The web server's rendered configuration, read by the real servers from Debian: Apache 2.4 with
 * mod_php (`apache2 -t`), php-fpm (`php-fpm -t`) and nginx (`nginx -t`), for the sizes the model
 * gives across container memory limits. The load test (`npm run test:load`) runs them.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { defaultWorkers, spareWorkers } from "../components/config/sections/webServer";
import { renderApacheConfig, renderFpmPool, renderNginxConfig, type WebServerSettings } from "../components/matomo/webServer";
import { requireBinaries } from "./support/system";
import { checkApache, checkFpm, checkNginx, fpmBinary } from "./support/webServers";

const MiB = 2 ** 20;

/** Sizings as the model computes them: container limits from 512 MiB to 64 GiB, PHP limits from 64M to 2G. */
const sizing = fc
    .record({
        limitMiB: fc.integer({ min: 512, max: 65536 }),
        phpMiB: fc.integer({ min: 64, max: 2048 }),
        maxRequestsPerWorker: fc.integer({ min: 1, max: 100000 }),
        keepAliveTimeout: fc.integer({ min: 0, max: 5 }),
    })
    .map(({ limitMiB, phpMiB, ...rest }) => ({ ...rest, workers: Math.max(1, defaultWorkers(limitMiB * MiB, phpMiB * MiB)) }))
    .map((s) => ({ ...s, spareWorkers: spareWorkers(s.workers) }));

describe("the web server's configuration, read by the real servers", function () {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "web-server-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    describe("Apache with mod_php (prefork), as the official image runs it", function () {
        before(function () {
            requireBinaries(this, "apache2");
        });

        it("accepts every sizing the model gives, without adjusting any of it", () => {
            fc.assert(
                fc.property(sizing, (s) => {
                    const { status, output } = checkApache(dir, renderApacheConfig({ ...s, variant: "apache" }));
                    assert.equal(status, 0, output);
                    assert.match(output, /Syntax OK/);
                    assert.doesNotMatch(output, /WARNING|AH00\d+: .*(exceeds|lowering|raising)/i, output);
                }),
                { numRuns: 12 },
            );
        });

        it("refuses to start when the MPM is not prefork, instead of skipping the settings", () => {
            const settings: WebServerSettings = {
                variant: "apache",
                workers: 8,
                spareWorkers: spareWorkers(8),
                maxRequestsPerWorker: 500,
                keepAliveTimeout: 0,
            };
            const eventMpm = (text: string) =>
                text
                    .replace(
                        "mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so",
                        "mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so",
                    )
                    .replace(/^LoadModule php_module.*$/m, "");
            const result = checkApache(dir, renderApacheConfig(settings), eventMpm);
            assert.notEqual(result.status, 0);
            assert.match(result.output, /Invalid command 'MinSpareServers'/);
        });
    });

    describe("php-fpm, as the official fpm image runs it", function () {
        before(function () {
            requireBinaries(this, fpmBinary());
        });

        it("accepts every sizing the model gives", () => {
            fc.assert(
                fc.property(sizing, (s) => {
                    const { status, output } = checkFpm(dir, renderFpmPool({ ...s, variant: "fpm" }));
                    assert.equal(status, 0, output);
                    assert.match(output, /test is successful/);
                }),
                { numRuns: 12 },
            );
        });

        it("is a check that can fail: it refuses more idle workers than workers", () => {
            const pool = renderFpmPool({
                variant: "fpm",
                workers: 2,
                spareWorkers: { start: 1, min: 1, max: 3 },
                maxRequestsPerWorker: 1,
                keepAliveTimeout: 0,
            });
            const { status, output } = checkFpm(dir, pool);
            assert.notEqual(status, 0);
            assert.match(output, /cannot be greater than pm.max_children/);
        });
    });

    describe("nginx in front of php-fpm", function () {
        before(function () {
            requireBinaries(this, "nginx");
        });

        for (const keepAliveTimeout of [0, 30]) {
            it(`accepts the rendered configuration (keep-alive ${keepAliveTimeout || "off"})`, () => {
                const config = renderNginxConfig({
                    variant: "fpm",
                    workers: 4,
                    spareWorkers: spareWorkers(4),
                    maxRequestsPerWorker: 500,
                    keepAliveTimeout,
                });
                const { status, output } = checkNginx(dir, config);
                assert.equal(status, 0, output);
                assert.match(output, /test is successful/);
            });
        }
    });
});
