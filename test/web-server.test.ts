/**
 * The web server's rendered configuration, read by the real servers from Debian: Apache 2.4 with
 * mod_php (`apache2 -t`), php-fpm (`php-fpm -t`) and nginx (`nginx -t`), for the sizes the model
 * gives across container memory limits; and both variants running, answering for the paths of a
 * stand-in webroot laid out like Matomo's. The load test (`npm run test:load`) runs them under load.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { defaultWorkers, spareWorkers } from "../components/config/sections/webServer";
import {
    renderApacheConfig,
    renderFpmPool,
    renderNginxConfig,
    webServerFiles,
    type WebServerSettings,
} from "../components/matomo/webServer";
import { requireBinaries, startsProcesses } from "./support/system";
import { checkApache, checkFpm, checkNginx, fpmBinary, startApache, startFpm, webrootOf, type RunningServer } from "./support/webServers";

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
            startsProcesses(this);
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

/**
 * The paths Matomo's System Check requests and counts as reachable when they answer anything but
 * 4xx (plugins/Diagnostics/Diagnostic: RequiredPrivateDirectories and its config.ini.php and
 * global.ini.php checks, RecommendedPrivateDirectories).
 */
const SYSTEM_CHECK_PRIVATE = [
    "/config/config.ini.php",
    "/config/global.ini.php",
    "/tmp/cache/tracker/matomocache_general.php",
    "/.git",
    "/.git/config",
    "/tmp/",
    "/tmp/empty",
    "/lang/en.json",
];

/** What Matomo's own .htaccess files and nginx example close besides: whole directories, code, data. */
const CLOSED = [
    "/tmp",
    "/config/",
    "/lang/",
    "/core/Version.php",
    "/tmp/assets/asset_manager_core_js.js",
    "/DIObject.php",
    "/js/tracker.php",
    "/plugins/",
    "/plugins/CoreHome/plugin.json",
    "/plugins/CoreHome/Controller.php",
    "/libs/jqplot/build_minified_script.sh",
    "/vendor/autoload.php",
    "/vendor/composer/installed.json",
    "/node_modules/jquery/package.json",
    "/misc/DBIP-City.mmdb",
    "/misc/cron/archive.php",
    "/misc/user/",
    "/misc/user/matomo.example.org/config.ini.php",
    "/misc/log-analytics/import_logs.py",
];

/** Other spellings of private paths: doubled slashes, escapes, a PHP file with more path after it. */
const RESPELLED = [
    "//config/config.ini.php",
    "/%63onfig/config.ini.php",
    "/config%2Fconfig.ini.php",
    "/misc/cron%2Farchive.php",
    "/index.php/config",
    "/plugins/CoreHome/Controller.php/logo.png",
];

/** What Matomo serves to browsers and tracked sites, and a piece of each answer. */
const PUBLIC: readonly (readonly [path: string, answer: string])[] = [
    ["/", "index.php ran"],
    ["/index.php?module=API&method=API.getMatomoVersion&format=json", "index.php ran"],
    ["/matomo.php", "part of Matomo"],
    ["/piwik.php", "part of Matomo"],
    ["/matomo.js", "tracker"],
    ["/piwik.js", "tracker"],
    ["/js/", "js/index.php ran"],
    ["/js/index.php", "js/index.php ran"],
    ["/js/piwik.min.js", "tracker code"],
    ["/robots.txt", "Disallow"],
    ["/plugins/Morpheus/images/logo.svg", "<svg"],
    ["/plugins/Morpheus/fonts/matomo.woff2", "font"],
    ["/plugins/CoreHome/stylesheets/color_manager.css", ".color-manager"],
    ["/plugins/CoreHome/vue/dist/CoreHome.umd.min.js", "CoreHome"],
    ["/plugins/CoreHome/javascripts/manifest.json", "Matomo"],
    ["/plugins/HeatmapSessionRecording/configs.php", "configs.php ran"],
    ["/misc/user/logo.png", "logo"],
    ["/misc/user/favicon.png", "favicon"],
    ["/libs/jqplot/jqplot.core.js", "jqplot"],
    ["/node_modules/jquery/dist/jquery.min.js", "jQuery"],
];

describe("what the web servers serve from Matomo's webroot", function () {
    this.timeout(60_000);
    const sizing = { workers: 2, spareWorkers: spareWorkers(2), maxRequestsPerWorker: 100, keepAliveTimeout: 0 };

    for (const variant of ["apache", "fpm"] as const) {
        describe(variant === "apache" ? "Apache with mod_php" : "nginx in front of php-fpm", function () {
            let dir: string;
            let server: RunningServer | undefined;

            before(async function () {
                startsProcesses(this);
                requireBinaries(this, ...(variant === "apache" ? ["apache2"] : ["nginx", fpmBinary()]));
                dir = mkdtempSync(join(tmpdir(), "web-access-"));
                const files = webServerFiles({ ...sizing, variant });
                server =
                    variant === "apache"
                        ? await startApache(dir, files["apache.conf"], "")
                        : await startFpm(dir, { pool: files["fpm-pool.conf"], nginx: files["nginx.conf"] }, "");
            });
            after(async () => {
                await server?.stop();
                if (dir) rmSync(dir, { recursive: true, force: true });
            });

            /** Each path's status and body, one request at a time. */
            async function get(paths: readonly string[]) {
                const answers: { path: string; status: number; body: string }[] = [];
                for (const path of paths) {
                    const response = await fetch(`${server!.url}${path}`, { redirect: "manual" });
                    answers.push({ path, status: response.status, body: await response.text() });
                }
                return answers;
            }

            /** The paths that were not refused (4xx), or whose answer shows a private file or a PHP file that ran. */
            const notRefused = async (paths: readonly string[]) =>
                (await get(paths))
                    .filter(({ status, body }) => status < 400 || status >= 500 || /PRIVATE| ran\b/.test(body))
                    .map(({ path, status }) => `${path}: ${status}`);

            it("refuses every path Matomo's System Check requires or recommends to be private", async () => {
                assert.deepEqual(await notRefused(SYSTEM_CHECK_PRIVATE), []);
            });

            it("refuses what Matomo's own .htaccess files close: its code, caches, the GeoIP databases, per-host configs", async () => {
                assert.deepEqual(await notRefused(CLOSED), []);
            });

            it("refuses private paths however they are spelled, and runs no PHP file through a longer path", async () => {
                assert.deepEqual(await notRefused(RESPELLED), []);
            });

            it("serves the UI, the API, the tracker and its code, plugin assets and uploaded logos", async () => {
                const wrong = (await get(PUBLIC.map(([path]) => path)))
                    .filter(({ status, body }, i) => status !== 200 || !body.includes(PUBLIC[i][1]))
                    .map(({ path, status, body }) => `${path}: ${status} ${body.slice(0, 60)}`);
                assert.deepEqual(wrong, []);
            });

            it("ignores a .htaccess written into the webroot: an uploaded logo never runs as PHP", async () => {
                const uploads = join(webrootOf(dir), "misc", "user");
                writeFileSync(join(uploads, ".htaccess"), "SetHandler application/x-httpd-php\n");
                writeFileSync(join(uploads, "upload.png"), '<?php echo "PRIVATE: upload.png ran";\n');
                const [answer] = await get(["/misc/user/upload.png"]);
                assert.equal(answer.status, 200);
                assert.match(answer.body, /^<\?php echo/, "served as the file it is");
            });
        });
    }
});
