<?php
// php install-plugins.php WEBROOT: runs the install step of every plugin Matomo loads against the
// database, as Matomo's front controller does for each loaded plugin its config.ini.php does not
// list under [PluginsInstalled]. Every pod's generated config lists them all as installed (a pod
// that does not, loads no plugin while tracking), so this Job is what installs a plugin new to the
// database: one added to matomo.plugins, or one a newer image activates by default. A plugin's
// install step creates what is missing and keeps what exists: Matomo itself runs it again whenever
// a config file lacks the list.

if (!isset($argv[1]) || !is_file($argv[1] . '/core/bootstrap.php')) {
    fwrite(STDERR, 'install-plugins: FAILED: no Matomo code in ' . ($argv[1] ?? '(no webroot given)') . "\n");
    exit(2);
}
// Matomo's console starts the same way.
define('PIWIK_DOCUMENT_ROOT', $argv[1]);
if (file_exists(PIWIK_DOCUMENT_ROOT . '/bootstrap.php')) {
    require_once PIWIK_DOCUMENT_ROOT . '/bootstrap.php';
}
if (!defined('PIWIK_INCLUDE_PATH')) {
    define('PIWIK_INCLUDE_PATH', PIWIK_DOCUMENT_ROOT);
}
require_once PIWIK_INCLUDE_PATH . '/core/bootstrap.php';

try {
    $environment = new \Piwik\Application\Environment('cli');
    $environment->init();
    \Piwik\Access::doAsSuperUser(function () {
        // Forget what the generated config says is installed, so that every loaded plugin's
        // install step runs (the change stays in this Job's pod).
        \Piwik\Config::getInstance()->PluginsInstalled = ['PluginsInstalled' => []];
        $manager = \Piwik\Plugin\Manager::getInstance();
        $manager->loadActivatedPlugins();
        $manager->installLoadedPlugins();
        $names = array_keys($manager->getLoadedPlugins());
        echo 'install-plugins: the install step of ' . count($names) . ' plugins ran: ' . implode(', ', $names) . "\n";
    });
} catch (\Throwable $e) {
    fwrite(STDERR, 'install-plugins: FAILED: ' . $e->getMessage() . "\n");
    exit(1);
}
