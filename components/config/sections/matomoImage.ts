/** The Matomo images this program can run, recognised by name before they fail in the cluster. */
import type { Issue } from "../schema/fields";
import type { Image } from "../schema/parts";
import type { Topology } from "./general";

/** The default image: the newest Matomo release the program was tested with (renovate.json keeps it current within 5.x). */
export const MATOMO_IMAGE = { repository: "matomo", tag: "5.11.2-apache" } as const;

const OFFICIAL = `use the official image (matomo.image.repository "${MATOMO_IMAGE.repository}", tag "${MATOMO_IMAGE.tag}") or one built FROM it`;

/**
 * The Matomo versions this program runs: 4.16 (the last 4.x release) and 5.x. The pods' scripts
 * need PHP 8.1 (the official images before 4.13 have an older one) and read Matomo's code in the
 * forms 4.16 to 5.x have; a later major version may change that code, so it waits until this
 * program is checked against it. Topology eea needs 5.1: its config.ini.php names Matomo's MariaDB
 * schema (`[database] schema = Mariadb`), which Matomo has from 5.1.0 (before, every console
 * command fails with `Class "\Piwik\Db\Schema\Mariadb" not found`).
 */
export const SUPPORTED_MATOMO = {
    oldest: { eea: { major: 5, minor: 1 }, google: { major: 4, minor: 16 } },
    newestMajor: 5,
    text: "Matomo 4.16 or 5.x (5.1 or later on topology eea)",
} as const;

/** The official image, or a mirror of it: its tags begin with the Matomo version (`5.11.2-apache`, `5-fpm`). */
const OFFICIAL_REPOSITORY = /^(?:[^/]+[.:][^/]*\/)?(?:library\/)?matomo$/;

/** The Matomo version an official image's tag names (major, and minor when the tag has one). */
function taggedVersion(tag: string): { major: number; minor?: number } | undefined {
    const found = /^(\d+)(?:\.(\d+))?(?:\.\d+)?(?:-|$)/.exec(tag);
    return found ? { major: Number(found[1]), minor: found[2] === undefined ? undefined : Number(found[2]) } : undefined;
}

function versionIssue(image: Image, topology: Topology): string | undefined {
    const version = OFFICIAL_REPOSITORY.test(image.repository) ? taggedVersion(image.tag) : undefined;
    if (!version) return undefined;
    const { oldest, newestMajor, text } = SUPPORTED_MATOMO;
    const named = `Matomo ${version.major}${version.minor === undefined ? "" : `.${version.minor}`}`;
    const below = (floor: { major: number; minor: number }) =>
        version.major < floor.major || (version.major === floor.major && (version.minor ?? Infinity) < floor.minor);
    const advice = `use a 5.x tag (e.g. ${MATOMO_IMAGE.tag})`;
    const upgrade = "the upgrade Job brings an older installation's database up to it";
    if (below(oldest.google))
        return `got ${image.repository}:${image.tag}, ${named}; this program runs ${text}: ${advice} or 4.16.1 (${upgrade})`;
    if (topology === "eea" && below(oldest.eea)) {
        return (
            `got ${image.repository}:${image.tag}, ${named}; topology eea runs Matomo 5.1 or later 5.x: its config.ini.php names ` +
            `Matomo's MariaDB schema ([database] schema = Mariadb), which Matomo has from 5.1.0: ${advice} (${upgrade})`
        );
    }
    if (version.major > newestMajor) {
        return `got ${image.repository}:${image.tag}, ${named}, newer than this program knows; it runs ${text}: ${advice}`;
    }
    return undefined;
}

/**
 * Images this program cannot run, recognised by name before they fail in the cluster. The pods
 * copy the code from /usr/src/matomo and run the image's Apache (or, with the fpm variant, its
 * php-fpm) as www-data.
 */
export function matomoImageIssues(image: Image, variant: "apache" | "fpm", topology: Topology): Issue[] {
    const name = image.repository.split("/").slice(-2).join("/");
    const issue = (field: "repository" | "tag", message: string): Issue[] => [{ key: `matomo:matomo.image.${field}`, message }];
    const got = `got ${image.repository}:${image.tag}`;
    if (name === "bitnami/matomo" || (name === "eeacms/matomo" && /^5\.[3-7]\.\d+-\d+$/.test(image.tag))) {
        return issue(
            "repository",
            `${got}, a Bitnami-based image: its code is in /opt/bitnami/matomo, its own entrypoint installs and configures ` +
                `Matomo, and its Apache runs as user 1001 on port 8080, none of which this program's pods use; ${OFFICIAL}`,
        );
    }
    if (name === "eeacms/matomo") {
        return issue(
            "repository",
            `${got}, built FROM matomo:*-fpm-alpine to run beside EEA's own nginx sidecar: it has no web server, and its ` +
                `entrypoint and settings are not the official image's; ${OFFICIAL}`,
        );
    }
    const unsupported = versionIssue(image, topology);
    if (unsupported) return issue("tag", unsupported);
    const fpmTag = /(^|-)fpm(-|$)/.test(image.tag);
    if (variant === "apache" && fpmTag) {
        return issue(
            "tag",
            `${got}, the fpm variant, which has no web server of its own; use the Apache variant (a tag ending in -apache, ` +
                'e.g. 5.11.2-apache) or set matomo:matomo.webServer.variant to "fpm" to run it behind nginx',
        );
    }
    if (variant === "fpm" && /(^|-)apache(-|$)/.test(image.tag)) {
        return issue(
            "tag",
            `${got}, the Apache variant, but matomo:matomo.webServer.variant is "fpm"; use the image's fpm variant (e.g. 5.11.2-fpm)`,
        );
    }
    return [];
}
