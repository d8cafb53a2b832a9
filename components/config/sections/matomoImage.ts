/** The Matomo images this program can run, recognised by name before they fail in the cluster. */
import type { Issue } from "../schema/fields";
import type { Image } from "../schema/parts";

const OFFICIAL = 'use the official image (matomo.image.repository "matomo", tag "5.11.2-apache") or one built FROM it';

/**
 * Images this program cannot run, recognised by name before they fail in the cluster. The pods
 * copy the code from /usr/src/matomo and run the image's Apache (or, with the fpm variant, its
 * php-fpm) as www-data.
 */
export function matomoImageIssues(image: Image, variant: "apache" | "fpm"): Issue[] {
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
