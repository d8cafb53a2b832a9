/**
 * The least of Matomo's code tree that prepare-webroot reads when it copies the image's code and
 * the config into a webroot: the tracker entry point, the version, the always-active plugins list
 * and the plugin manager it patches. For tests that run the script on a pod's files, not Matomo.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Writes that tree under `code` (created with its folders). */
export function writeMinimalMatomoCode(code: string): void {
    for (const d of [join(code, "config"), join(code, "core", "Plugin")]) mkdirSync(d, { recursive: true });
    writeFileSync(join(code, "matomo.php"), "<?php\n");
    writeFileSync(join(code, "core", "Version.php"), "<?php\nfinal class Version { const VERSION = '5.11.2'; }\n");
    writeFileSync(join(code, "config", "global.ini.php"), "[Plugins]\nPlugins[] = CoreHome\n[PluginsInstalled]\n");
    writeFileSync(
        join(code, "core", "Plugin", "Manager.php"),
        "<?php\nnamespace Piwik\\Plugin;\nclass Manager { protected static $pluginToAlwaysActivate = []; }\n",
    );
}
