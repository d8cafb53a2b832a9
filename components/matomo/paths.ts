/** Paths inside Matomo's pods (official `matomo` image layout). */

/** Where the image keeps Matomo's code; the entrypoint copies it from here. */
export const IMAGE_CODE_DIR = "/usr/src/matomo";
/** Apache's document root: a per-pod emptyDir filled from {@link IMAGE_CODE_DIR}. */
export const WEBROOT = "/var/www/html";
/** Where the generated config.ini.php is mounted from its Secret (read-only). */
export const CONFIG_MOUNT = "/etc/matomo";
/** The SMTP password's file in {@link CONFIG_MOUNT}, read by prepare-webroot. */
export const SMTP_PASSWORD_FILE = "smtp-password";
/** The database password's file in {@link CONFIG_MOUNT} when it is in a Secret managed elsewhere, read by prepare-webroot. */
export const DATABASE_PASSWORD_FILE = "database-password";
/** The php.ini override, read after the image's own conf.d files. */
export const PHP_INI_PATH = "/usr/local/etc/php/conf.d/zz-matomo.ini";
/** The `www-data` user and group of the Debian-based official image. */
export const WWW_DATA_UID = 33;
/** Where the install and upgrade scripts are mounted from their ConfigMap (read-only). */
export const SCRIPTS_MOUNT = "/etc/matomo-scripts";
/** Where Secrets that Jobs read as files are mounted. */
export const SECRETS_MOUNT = "/run/secrets";
/** Where the database password is mounted for the scripts that connect themselves (file `password`). */
export const SECRETS_DIR_DATABASE = `${SECRETS_MOUNT}/matomo-database`;
