/**
 * The MariaDB images this program can run, recognised by name before they fail in the cluster.
 * The StatefulSet is made for the official `mariadb` image of the 10.11 series: its entrypoint
 * reads the MARIADB_* variables (passwords from files), runs as the `mysql` user (999) with its
 * data in /var/lib/mysql, reads the server options from /etc/mysql/conf.d, and its healthcheck.sh
 * answers the probes; the options of `mariadb.commands` are checked against 10.11's.
 */
import type { Issue } from "../schema/fields";
import type { Image } from "../schema/parts";

/** The default image, a release of the series the program is made for (renovate.json keeps it current within 10.11). */
export const MARIADB_IMAGE = { repository: "mariadb", tag: "10.11.18" } as const;

const OFFICIAL = `use the official image (matomo:mariadb.image.repository "${MARIADB_IMAGE.repository}", tag "${MARIADB_IMAGE.tag}") or one built FROM it`;

/** The official image, or a mirror of it at the root of a registry. */
const OFFICIAL_REPOSITORY = /^(?:[^/]+[.:][^/]*\/)?(?:library\/)?mariadb$/;

/** Images that cannot run in the StatefulSet, by the last two parts of their repository, with the reason. */
const OTHER_IMAGES: readonly (readonly [RegExp, string])[] = [
    [
        /^bitnami[a-z]*\/mariadb(?:-galera)?$/,
        "a Bitnami image: its server reads its options from /opt/bitnami/mariadb/conf (not the file this program mounts in " +
            "/etc/mysql/conf.d), keeps its data in /bitnami/mariadb (not on the volume at /var/lib/mysql), runs as user 1001 " +
            "and takes its passwords from variables of its own, and it has no healthcheck.sh for the probes",
    ],
    [
        /(?:^|\/)mysql$|^mysql\/(?:mysql-server|community-server)$|^(?:percona\/)?percona(?:-server|-xtradb-cluster)?$/,
        "a MySQL server: its entrypoint reads MYSQL_* variables, not the MARIADB_* ones the StatefulSet sets (it stops with " +
            '"Database is uninitialized and password option is not specified"), it has no healthcheck.sh for the probes, and ' +
            "MySQL refuses MariaDB's server options (query_cache_size, for one) and the schema Matomo uses with MariaDB",
    ],
    [
        /^mariadb\/server$/,
        "MariaDB Corporation's former image, no longer updated: its entrypoint predates the one this program is made for and " +
            "it has no healthcheck.sh for the probes",
    ],
    [
        /^linuxserver\/mariadb$/,
        "LinuxServer.io's image: it starts as root (which the pod's security context refuses), keeps its data in /config and " +
            "reads its own variables",
    ],
];

/** The MariaDB series an official tag names (`10.11.18`, `10.11-jammy`), or undefined. */
function series(tag: string): string | undefined {
    return /^(\d+\.\d+)(?:[.-]|$)/.exec(tag)?.[1];
}

/** Images the StatefulSet cannot run, with the reason. */
export function mariadbImageIssues(image: Image): Issue[] {
    const name = image.repository.split("/").slice(-2).join("/");
    const got = `got ${image.repository}:${image.tag}`;
    const other = OTHER_IMAGES.find(([pattern]) => pattern.test(name));
    if (other) return [{ key: "matomo:mariadb.image.repository", message: `${got}, ${other[1]}; ${OFFICIAL}` }];
    if (!OFFICIAL_REPOSITORY.test(image.repository) || image.tag.startsWith("sha256:") || series(image.tag) === "10.11") return [];
    const named = series(image.tag) ? `MariaDB ${series(image.tag)}` : "no MariaDB release (a tag that moves to new releases)";
    return [
        {
            key: "matomo:mariadb.image.tag",
            message:
                `${got}, ${named}; this program runs the 10.11 series: it checks mariadb.commands against MariaDB 10.11's options, ` +
                `and a data directory that a later series has upgraded cannot go back: use a 10.11 tag (e.g. ${MARIADB_IMAGE.tag})`,
        },
    ];
}
