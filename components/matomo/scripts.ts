/**
 * Shell scripts run inside Matomo's pods. Each is built by a pure function (unit-tested and run
 * through shellcheck) and passed to `sh -c`, so it runs under the image's POSIX shell.
 */
import { CONFIG_MOUNT, IMAGE_CODE_DIR, WEBROOT } from "./paths";

/**
 * Fills the pod's writable webroot (an emptyDir) with the image's Matomo code and the generated
 * config.ini.php, before the web server or a console command starts.
 *
 * Copying on every start is what makes an image upgrade a code upgrade: nothing of the code
 * survives on a volume (the most common failure of Matomo containers, whose entrypoint copies the
 * code only when the webroot is empty). `misc/` is the one volume inside the webroot; the image's
 * own files there are refreshed, GeoIP databases and uploaded logos are left alone.
 */
export function prepareWebrootScript(): string {
    return `set -eu
src=${IMAGE_CODE_DIR}
dst=${WEBROOT}
if [ ! -f "$src/matomo.php" ]; then
    echo "prepare-webroot: no Matomo code in $src: use the official matomo image or one built from it" >&2
    exit 1
fi
cp -R "$src/." "$dst/"
cp "${CONFIG_MOUNT}/config.ini.php" "$dst/config/config.ini.php"
chmod 0640 "$dst/config/config.ini.php"
version=$(sed -n "s/.*const VERSION = '\\([^']*\\)'.*/\\1/p" "$dst/core/Version.php")
echo "prepare-webroot: Matomo \${version:-(unknown version)} code and config.ini.php are in place"
`;
}
