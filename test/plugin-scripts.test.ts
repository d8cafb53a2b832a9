/**
 * Plugins and the tracker in the pods' scripts, run for real with the system's sh and PHP against
 * a stand-in Matomo code tree (Matomo itself is not on this machine). The stand-ins keep the parts
 * of Matomo the scripts rely on as Matomo 5 has them: global.ini.php's plugin sections, the
 * always-active list of `Plugin\Manager`, the rule that a plugin listed under [PluginsInstalled] is
 * not installed again, and `console custom-matomo-js:update` rewriting matomo.js.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prepareWebrootScript, scriptSource, upgradeScript } from "../components/matomo/scripts";
import { parseIniWithPhp } from "./support/php";
import { requireBinaries } from "./support/system";

/** The plugin sections of a Matomo 5 global.ini.php (abridged lists, same shape). */
const GLOBAL_INI = `; <?php exit; ?> DO NOT REMOVE THIS LINE
[General]
login_password_recovery_replyto_email_address = "no-reply@{DOMAIN}"

[mail]
transport = ; smtp (using the configuration below) or empty (using built-in mail() function)

[Plugins]
; list of plugins (in order they will be loaded) that are activated by default in the Matomo platform
Plugins[] = CoreVue
Plugins[] = CoreHome
Plugins[] = Actions
Plugins[] = Login
Plugins[] = PrivacyManager
Plugins[] = Morpheus

[PluginsInstalled]
PluginsInstalled[] = Diagnostics
PluginsInstalled[] = Login
`;

/** `Plugin\Manager`'s always-active list, declared as Matomo 5.2 and later declare it (static). */
const MANAGER = `<?php
namespace Piwik\\Plugin;

use Piwik\\Container\\StaticContainer;

class Manager
{
    public const DEFAULT_THEME = "Morpheus";

    protected static $pluginToAlwaysActivate = array(
        'FeatureFlags',
        'CoreHome',
        'SitesManager',
        // default Piwik theme, always enabled
        self::DEFAULT_THEME,
    );
}
`;

/**
 * The same list as Matomo 4.16 to 5.1 declare it: an instance property of a class that cannot be
 * built without Matomo's container (its constructor needs a PluginList).
 */
const INSTANCE_MANAGER = `<?php
namespace Piwik\\Plugin;

use Piwik\\Application\\Kernel\\PluginList;

class Manager
{
    const DEFAULT_THEME = "Morpheus";

    protected static $pluginsToPathCache = array();

    protected $pluginToAlwaysActivate = array(
        'CoreHome',
        'SitesManager',
        // default Piwik theme, always enabled
        self::DEFAULT_THEME,
    );

    private $pluginList;

    public function __construct(PluginList $pluginList)
    {
        $this->pluginList = $pluginList;
    }
}
`;

/** Records its arguments; `custom-matomo-js:update` writes matomo.js, or fails as Matomo does on an unwritable file. */
const CONSOLE = `<?php
file_put_contents(getenv('CONSOLE_LOG'), implode(' ', array_slice($argv, 1)) . "\\n", FILE_APPEND);
if (($argv[1] ?? '') === 'custom-matomo-js:update') {
    if (getenv('TRACKER_UNWRITABLE')) {
        fwrite(STDERR, "\\n  [Piwik\\\\Plugins\\\\CustomJsTracker\\\\Exception\\\\AccessDeniedException]\\n  not writable\\n");
        exit(1);
    }
    file_put_contents(__DIR__ . '/matomo.js', "/* regenerated */\\n");
    echo "The Javascript Tracker has been updated\\n";
}
`;

/** Matomo's kernel, as far as install-plugins.php uses it: a plugin listed as installed is not installed again. */
const KERNEL = `<?php
namespace Piwik {
    function standInLog($line) { file_put_contents(getenv('KERNEL_LOG'), "$line\\n", FILE_APPEND); }
    class Access { public static function doAsSuperUser($f) { standInLog('as superuser'); return $f(); } }
    class Config {
        private static $instance;
        private $sections;
        public static function getInstance() { return self::$instance ??= new Config(); }
        private function __construct() { $this->sections = parse_ini_file(PIWIK_INCLUDE_PATH . '/config/config.ini.php', true); }
        public function __get($name) { return $this->sections[$name] ?? []; }
        public function __set($name, $value) { $this->sections[$name] = $value; }
    }
}
namespace Piwik\\Application {
    class Environment {
        public function __construct($name) { \\Piwik\\standInLog("environment $name"); }
        public function init() { \\Piwik\\standInLog('environment ready'); }
    }
}
namespace Piwik\\Plugin {
    use Piwik\\Config;
    class Manager {
        private static $instance;
        private $loaded = [];
        public static function getInstance() { return self::$instance ??= new Manager(); }
        public function loadActivatedPlugins() {
            foreach (array_unique(array_merge(Config::getInstance()->Plugins['Plugins'], ['FeatureFlags', 'CoreHome'])) as $name) $this->loaded[$name] = $name;
        }
        public function getLoadedPlugins() { return $this->loaded; }
        public function installLoadedPlugins() {
            foreach ($this->loaded as $name) {
                $installed = Config::getInstance()->PluginsInstalled['PluginsInstalled'] ?? [];
                if (in_array($name, $installed)) continue;
                if ($name === getenv('FAILING_PLUGIN')) throw new \\Exception("There was an error installing the plugin $name: Table 'matomo_x' already exists");
                \\Piwik\\standInLog("install $name");
                Config::getInstance()->PluginsInstalled = ['PluginsInstalled' => array_merge($installed, [$name])];
            }
        }
    }
}
`;

describe("plugins and the tracker in the pods' scripts", function () {
    this.timeout(30_000);
    let dir: string;
    let n = 0;

    before(function () {
        requireBinaries(this, "php", "sh");
        dir = mkdtempSync(join(tmpdir(), "matomo-plugins-"));
    });

    after(() => {
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** A fresh stand-in image code tree, pod webroot and config mount. */
    function tree(options: { plugins?: string[]; manager?: string } = {}) {
        const root = join(dir, String(++n));
        const code = join(root, "code");
        const webroot = join(root, "webroot");
        const configMount = join(root, "config-mount");
        for (const d of ["config", "core/Plugin", "plugins/CoreHome", ...(options.plugins ?? []).map((p) => `plugins/${p}`)]) {
            mkdirSync(join(code, d), { recursive: true });
        }
        for (const d of [webroot, configMount]) mkdirSync(d, { recursive: true });
        writeFileSync(join(code, "matomo.php"), "<?php\n");
        writeFileSync(join(code, "matomo.js"), "/* stock */\n");
        writeFileSync(join(code, "console"), CONSOLE);
        writeFileSync(join(code, "core", "Version.php"), "<?php\nfinal class Version { const VERSION = '5.11.2'; }\n");
        writeFileSync(join(code, "core", "Plugin", "Manager.php"), options.manager ?? MANAGER);
        writeFileSync(join(code, "config", "global.ini.php"), GLOBAL_INI);
        writeFileSync(join(configMount, "config.ini.php"), '; <?php exit; ?> DO NOT REMOVE THIS LINE\n[General]\nsalt = "abc"\n');
        return { root, code, webroot, configMount, log: join(root, "console.log") };
    }

    function prepare(
        t: ReturnType<typeof tree>,
        options: { plugins?: string[]; regenerateTracker?: boolean },
        env: Record<string, string> = {},
    ) {
        const script = prepareWebrootScript({ ...options, paths: { code: t.code, webroot: t.webroot, configMount: t.configMount } });
        return spawnSync("sh", ["-c", script], { env: { ...process.env, CONSOLE_LOG: t.log, ...env }, encoding: "utf8" });
    }

    /** config.ini.php of the webroot, as PHP parses it. */
    const configOf = (webroot: string) => parseIniWithPhp(readFileSync(join(webroot, "config", "config.ini.php"), "utf8"));

    describe("prepare-webroot", () => {
        it("lists every plugin Matomo loads as installed, so that a fresh pod's tracker loads them", () => {
            const t = tree();
            const result = prepare(t, {});
            assert.equal(result.status, 0, result.stderr);
            const ini = configOf(t.webroot);
            assert.deepEqual(ini.Plugins.Plugins, ["CoreVue", "CoreHome", "Actions", "Login", "PrivacyManager", "Morpheus"]);
            assert.deepEqual(
                [...(ini.PluginsInstalled.PluginsInstalled as string[])].sort(),
                ["Actions", "CoreHome", "CoreVue", "Diagnostics", "FeatureFlags", "Login", "Morpheus", "PrivacyManager", "SitesManager"],
                "global.ini.php's installed ones, the active ones and the always-active ones",
            );
            assert.equal(ini.General.salt, "abc", "the generated config is kept");
        });

        it("reads the always-active plugins of Matomo 4.16 to 5.1 too, where the list is an instance property", () => {
            const t = tree({ manager: INSTANCE_MANAGER });
            const result = prepare(t, {});
            assert.equal(result.status, 0, result.stderr);
            assert.deepEqual([...(configOf(t.webroot).PluginsInstalled.PluginsInstalled as string[])].sort(), [
                "Actions",
                "CoreHome",
                "CoreVue",
                "Diagnostics",
                "Login",
                "Morpheus",
                "PrivacyManager",
                "SitesManager",
            ]);
        });

        it("activates the stack's plugins besides the image's defaults", () => {
            const t = tree({ plugins: ["LoginLdap", "QueuedTracking"] });
            const result = prepare(t, { plugins: ["LoginLdap", "QueuedTracking"] });
            assert.equal(result.status, 0, result.stderr);
            assert.match(
                result.stdout,
                /Matomo 5\.11\.2 code is in place, with the generated config\.ini\.php \(plugins: LoginLdap, QueuedTracking\)/,
            );
            const ini = configOf(t.webroot);
            assert.deepEqual((ini.Plugins.Plugins as string[]).slice(-2), ["LoginLdap", "QueuedTracking"]);
            assert.ok((ini.PluginsInstalled.PluginsInstalled as string[]).includes("QueuedTracking"));
        });

        it("fails the pod, naming the plugin, when the image does not have it", () => {
            const t = tree();
            const result = prepare(t, { plugins: ["LoginLdap"] });
            assert.equal(result.status, 1);
            assert.match(
                result.stderr,
                /the image has no plugin LoginLdap \(plugins\/LoginLdap\): build an image with it, or remove it from matomo\.plugins/,
            );
        });

        it("fails, saying why, when the image's Matomo keeps its always-active plugins elsewhere", () => {
            const t = tree({ manager: "<?php\nnamespace Piwik\\Plugin;\nclass Manager {}\n" });
            const result = prepare(t, {});
            assert.equal(result.status, 1);
            assert.match(result.stderr, /keeps its always-active plugins elsewhere .*: the webroot script needs updating/);
        });

        it("fails, saying why, when the image's Matomo declares the always-active plugins without a list", () => {
            const t = tree({ manager: "<?php\nnamespace Piwik\\Plugin;\nclass Manager { protected $pluginToAlwaysActivate; }\n" });
            const result = prepare(t, {});
            assert.equal(result.status, 1);
            assert.match(
                result.stderr,
                /declares Piwik\\Plugin\\Manager::\$pluginToAlwaysActivate without a list of plugins: the webroot script needs updating/,
            );
        });

        it("regenerates matomo.js in a web pod, so the served tracker follows the settings from the start", () => {
            const t = tree();
            const result = prepare(t, { regenerateTracker: true });
            assert.equal(result.status, 0, result.stderr);
            assert.equal(readFileSync(join(t.webroot, "matomo.js"), "utf8"), "/* regenerated */\n");
            assert.equal(readFileSync(t.log, "utf8"), "custom-matomo-js:update --no-interaction\n");
            assert.match(result.stdout, /and a regenerated matomo\.js/);
        });

        it("fails the web pod when matomo.js cannot be regenerated, rather than serving the stock file", () => {
            const t = tree();
            const result = prepare(t, { regenerateTracker: true }, { TRACKER_UNWRITABLE: "1" });
            assert.notEqual(result.status, 0);
            assert.match(result.stderr, /not writable/);
        });

        it("leaves matomo.js alone in other pods", () => {
            const t = tree();
            assert.equal(prepare(t, {}).status, 0);
            assert.equal(readFileSync(join(t.webroot, "matomo.js"), "utf8"), "/* stock */\n");
        });

        it("refuses a plugin name that could inject shell", () => {
            assert.throws(() => prepareWebrootScript({ plugins: ["x; rm -rf /"] }), /not a Matomo plugin name/);
        });
    });

    describe("install-plugins.php", () => {
        function installPlugins(t: ReturnType<typeof tree>, env: Record<string, string> = {}) {
            writeFileSync(join(t.webroot, "core", "bootstrap.php"), KERNEL);
            const file = join(t.root, "install-plugins.php");
            writeFileSync(file, scriptSource("install-plugins.php"));
            return spawnSync("php", [file, t.webroot], { env: { ...process.env, KERNEL_LOG: t.log, ...env }, encoding: "utf8" });
        }

        it("runs the install step of every loaded plugin, though the generated config lists them as installed", () => {
            const t = tree({ plugins: ["LoginLdap"] });
            assert.equal(prepare(t, { plugins: ["LoginLdap"] }).status, 0);
            const result = installPlugins(t);
            assert.equal(result.status, 0, result.stderr);
            const log = readFileSync(t.log, "utf8").trim().split("\n");
            assert.deepEqual(log.slice(0, 3), ["environment cli", "environment ready", "as superuser"]);
            assert.deepEqual(
                log.slice(3),
                ["CoreVue", "CoreHome", "Actions", "Login", "PrivacyManager", "Morpheus", "LoginLdap", "FeatureFlags"].map(
                    (p) => `install ${p}`,
                ),
            );
            assert.match(result.stdout, /the install step of 8 plugins ran: .*LoginLdap/);
        });

        it("fails the Job with Matomo's message when a plugin's install step fails", () => {
            const t = tree();
            assert.equal(prepare(t, {}).status, 0);
            const result = installPlugins(t, { FAILING_PLUGIN: "Actions" });
            assert.equal(result.status, 1);
            assert.match(result.stderr, /install-plugins: FAILED: There was an error installing the plugin Actions/);
        });

        it("fails clearly without Matomo code", () => {
            const result = spawnSync(
                "php",
                ["-r", scriptSource("install-plugins.php").replace(/^<\?php/, ""), "--", join(dir, "nowhere")],
                {
                    encoding: "utf8",
                },
            );
            assert.equal(result.status, 2);
            assert.match(result.stderr, /no Matomo code in .*nowhere/);
        });
    });

    describe("upgrade.sh", () => {
        it("installs the plugins after the migrations, and not when the migrations fail", () => {
            const t = tree();
            assert.equal(prepare(t, {}).status, 0);
            const scripts = join(t.root, "scripts");
            mkdirSync(scripts);
            writeFileSync(
                join(scripts, "install-plugins.php"),
                `<?php file_put_contents(getenv('CONSOLE_LOG'), "install-plugins $argv[1]\\n", FILE_APPEND);\n`,
            );
            const script = upgradeScript({ webroot: t.webroot, scriptsDir: scripts });
            const run = (env: Record<string, string> = {}) =>
                spawnSync("sh", ["-c", script], { env: { ...process.env, CONSOLE_LOG: t.log, ...env }, encoding: "utf8" });

            const result = run();
            assert.equal(result.status, 0, result.stderr);
            assert.deepEqual(readFileSync(t.log, "utf8").trim().split("\n"), [
                "core:update --yes --no-interaction",
                `install-plugins ${t.webroot}`,
            ]);

            rmSync(t.log);
            writeFileSync(
                join(t.webroot, "console"),
                `<?php file_put_contents(getenv('CONSOLE_LOG'), "core:update\\n", FILE_APPEND); exit(1);\n`,
            );
            assert.equal(run().status, 1);
            assert.deepEqual(readFileSync(t.log, "utf8").trim().split("\n"), ["core:update"], "no plugin install after a failed migration");
        });
    });
});
