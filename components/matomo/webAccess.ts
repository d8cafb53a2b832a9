/**
 * What the web server serves from Matomo's webroot, for both variants: the rules of Matomo's own
 * `.htaccess` files (its installer's `ServerFilesGenerator`) and of its nginx example
 * (matomo-org/matomo-nginx), as one ordered list that {@link renderApacheAccess} and
 * {@link renderNginxAccess} write into each server's configuration. The first rule whose pattern
 * matches a request's path decides; a path no rule matches is served as a file.
 *
 * The rules live in the server's configuration rather than in `.htaccess` files: the webroot is a
 * fresh copy of the image at every start, and Matomo writes its `.htaccess` files only when it
 * installs (in a pod whose webroot is thrown away); nginx reads none; and PHP can write the webroot.
 * Whole directories are closed, as Matomo closes them, so a file a newer Matomo adds inside them
 * is closed too.
 */

/** How a request the rule matches is answered. */
export type WebAccess = "php" | "static" | "deny";

export interface WebAccessRule {
    /** What the rule is for, written above it in the rendered configuration. */
    readonly purpose: string;
    /** A regular expression (PCRE, read the same way by both servers) on the request's decoded path. */
    readonly path: string;
    /** Whether the pattern ignores case. Defaults to false. */
    readonly ignoreCase?: boolean;
    readonly access: WebAccess;
}

/** The files Matomo's `.htaccess` files let through in its code and data directories. */
const STATIC_FILES = "gif|ico|jpg|png|svg|js|css|htm|html|mp3|mp4|wav|ogg|avi|ttf|eot|woff|woff2";

/** Matomo's web access rules, in the order they are tried. */
export const MATOMO_WEB_ACCESS: readonly WebAccessRule[] = [
    {
        purpose: "Matomo's PHP entry points: the UI and the API, the tracker (and its old name), the tracker code",
        path: "^/(index|matomo|piwik|js/index|plugins/HeatmapSessionRecording/configs)\\.php$",
        access: "php",
    },
    {
        purpose: "Every other PHP file: Matomo's code runs only through its entry points",
        path: "\\.php$",
        ignoreCase: true,
        access: "deny",
    },
    {
        purpose: "Matomo's private directories: config (the database password, the salt), tmp (caches, sessions), core, lang",
        path: "^/(config|tmp|core|lang)(/|$)",
        access: "deny",
    },
    { purpose: "Dotfiles and dot directories (.git, .htaccess)", path: "/\\.", access: "deny" },
    { purpose: "The web app manifest the UI links to", path: "^/plugins/.+/manifest\\.json$", access: "static" },
    { purpose: "Images, scripts, styles, fonts and media", path: `\\.(${STATIC_FILES})$`, access: "static" },
    {
        purpose: "Code and data directories that serve only the files above: misc holds the GeoIP databases",
        path: "^/(libs|vendor|plugins|misc|node_modules)(/|$)",
        access: "deny",
    },
];

const REQUIRE: Record<WebAccess, string> = { php: "Require all granted", static: "Require all granted", deny: "Require all denied" };

/**
 * The rules as Apache directives. Apache applies every `<LocationMatch>` that matches, the last
 * one last, so they are written in reverse: the first rule of the list has the last word, as in
 * nginx. A rule on the URL is a rule on the file because `AcceptPathInfo Off` leaves no second URL
 * for a file (`/index.php/more`), and no alias maps into the webroot.
 */
export function renderApacheAccess(webroot: string): string[] {
    return [
        `<Directory ${webroot}>`,
        "    # Only this file decides what is served: a .htaccess in the webroot, which PHP can write, changes nothing.",
        "    AllowOverride None",
        "    # A URL names exactly one file: no /index.php/more, so a rule on the path is a rule on the file.",
        "    AcceptPathInfo Off",
        "</Directory>",
        "# Every <LocationMatch> that matches applies, the last one last: the rules are in reverse order.",
        ...[...MATOMO_WEB_ACCESS]
            .reverse()
            .flatMap((rule) => [
                `# ${rule.purpose}`,
                `<LocationMatch "${rule.ignoreCase ? "(?i)" : ""}${rule.path}">`,
                `    ${REQUIRE[rule.access]}`,
                "</LocationMatch>",
            ]),
    ];
}

/** The rules as nginx `location` blocks, in order (nginx takes the first regular expression that matches). */
export function renderNginxAccess(bodies: Readonly<Record<WebAccess, readonly string[]>>): string[] {
    return MATOMO_WEB_ACCESS.flatMap((rule) => [
        `# ${rule.purpose}`,
        `location ${rule.ignoreCase ? "~*" : "~"} ${rule.path} {`,
        ...bodies[rule.access].map((line) => `    ${line}`),
        "}",
    ]);
}
