/**
 * The utf8mb4 collations of MySQL 8.0 and 8.4, which a Cloud SQL database can be created with.
 *
 * The list is MySQL Server's own: `hardcoded_charsets[]` in strings/collations_internal.cc
 * (mysql/mysql-server, 2024), whose utf8mb4 entries are the 89 rows `SHOW COLLATION WHERE
 * Charset = 'utf8mb4'` gives on MySQL 8.0.30 and later and on 8.4 (the `my_charset_utf8mb4_*_uca_ci`
 * entries are the `utf8mb4_<language>_ci` collations of strings/ctype-uca.cc). Earlier 8.0
 * releases lack the newest: `utf8mb4_0900_bin` came with 8.0.17, and the Norwegian, Serbian,
 * Bosnian, Bulgarian, Galician and Mongolian ones with 8.0.30 (MySQL 8.0.30 release notes).
 * MariaDB's collations (`utf8mb4_uca1400_*`, `utf8mb4_nopad_bin`, ...) are not among them.
 */
import { closestMatches } from "../../schema/text";

const LEGACY = [
    "general_ci",
    "bin",
    "unicode_ci",
    "icelandic_ci",
    "latvian_ci",
    "romanian_ci",
    "slovenian_ci",
    "polish_ci",
    "estonian_ci",
    "spanish_ci",
    "swedish_ci",
    "turkish_ci",
    "czech_ci",
    "danish_ci",
    "lithuanian_ci",
    "slovak_ci",
    "spanish2_ci",
    "roman_ci",
    "persian_ci",
    "esperanto_ci",
    "hungarian_ci",
    "sinhala_ci",
    "german2_ci",
    "croatian_ci",
    "unicode_520_ci",
    "vietnamese_ci",
];

/** The languages of the Unicode 9.0 (`_0900_`) collations, each with `ai_ci` and `as_cs`. */
const UCA_0900_LANGUAGES = "de_pb is lv ro sl pl et es sv tr cs da lt sk es_trad la eo hu hr vi ru".split(" ");
const UCA_0900_LANGUAGES_8_0_30 = "nb nn sr_latn bs bg gl mn_cyrl".split(" ");

/** Collations that MySQL 8.0 has only from the release named. */
const SINCE: ReadonlyMap<string, number> = new Map([
    ["utf8mb4_0900_bin", 17],
    ...UCA_0900_LANGUAGES_8_0_30.flatMap((l) => [`utf8mb4_${l}_0900_ai_ci`, `utf8mb4_${l}_0900_as_cs`].map((c) => [c, 30] as const)),
]);

/** Every utf8mb4 collation of MySQL 8.0.30 and later, and of 8.4. */
export const MYSQL_UTF8MB4_COLLATIONS: readonly string[] = [
    ...LEGACY.map((c) => `utf8mb4_${c}`),
    "utf8mb4_0900_ai_ci",
    "utf8mb4_0900_as_ci",
    "utf8mb4_0900_as_cs",
    "utf8mb4_0900_bin",
    ...[...UCA_0900_LANGUAGES, ...UCA_0900_LANGUAGES_8_0_30].flatMap((l) => [`utf8mb4_${l}_0900_ai_ci`, `utf8mb4_${l}_0900_as_cs`]),
    "utf8mb4_ja_0900_as_cs",
    "utf8mb4_ja_0900_as_cs_ks",
    "utf8mb4_zh_0900_as_cs",
];

/** MariaDB's names of the languages of its `uca1400` collations, as MySQL's `_0900_` collations code them. */
const MARIADB_LANGUAGES: Readonly<Record<string, string>> = {
    icelandic: "is",
    latvian: "lv",
    romanian: "ro",
    slovenian: "sl",
    polish: "pl",
    estonian: "et",
    spanish: "es",
    swedish: "sv",
    turkish: "tr",
    czech: "cs",
    danish: "da",
    lithuanian: "lt",
    slovak: "sk",
    spanish2: "es_trad",
    roman: "la",
    esperanto: "eo",
    hungarian: "hu",
    croatian: "hr",
    german2: "de_pb",
    vietnamese: "vi",
    norwegian: "nb",
};

/** The MySQL collations that sort as a MariaDB `utf8mb4_uca1400_[<language>_][nopad_]<as|ai>_<ci|cs>` one does. */
function mysqlEquivalents(collation: string): string[] {
    const match = /^utf8mb4_uca1400_(?:([a-z0-9]+)_)?(?:nopad_)?(ai|as)_(ci|cs)$/.exec(collation);
    if (!match) return [];
    const [, language, accents, cases] = match;
    const code = language === undefined ? "" : MARIADB_LANGUAGES[language];
    if (code === undefined) return [];
    const prefix = code ? `utf8mb4_${code}_0900_` : "utf8mb4_0900_";
    // MySQL has no ai_cs; a case-sensitive sort is as_cs.
    const wanted = [`${prefix}${accents}_${cases}`, ...(cases === "cs" ? [`${prefix}as_cs`] : [`${prefix}ai_ci`])];
    return [...new Set(wanted)].filter((c) => MYSQL_UTF8MB4_COLLATIONS.includes(c));
}

/** Why a database cannot have `collation` on any MySQL 8.0 or 8.4 server, naming the closest ones it can; undefined when it can. */
export function checkMysqlCollation(collation: string): string | undefined {
    if (MYSQL_UTF8MB4_COLLATIONS.includes(collation)) return undefined;
    const equivalents = mysqlEquivalents(collation);
    const closest = equivalents.length > 0 ? equivalents : closestMatches(collation, MYSQL_UTF8MB4_COLLATIONS, 3);
    const mariadb = /^utf8mb4_(uca1400_|nopad_)/.test(collation) ? " (it is MariaDB's)" : "";
    return (
        `MySQL 8.0 and 8.4 (Cloud SQL) have no such utf8mb4 collation${mariadb}; ` +
        `${closest.length === 1 ? "the closest is" : "the closest ones are"} ${closest.join(", ")} (all: SHOW COLLATION WHERE Charset = 'utf8mb4')`
    );
}

/** Why an instance of `databaseVersion` (`MYSQL_8_0_<minor>` pins one) lacks `collation`; undefined when it has it. */
export function collationVersionIssue(collation: string, databaseVersion: string): string | undefined {
    const since = SINCE.get(collation);
    const minor = /^MYSQL_8_0_(\d+)$/.exec(databaseVersion)?.[1];
    if (since === undefined || minor === undefined || Number(minor) >= since) return undefined;
    return `got "${collation}", which MySQL 8.0 has only since 8.0.${since}, but databaseVersion is ${databaseVersion}; use MYSQL_8_0 or MYSQL_8_0_${since} or later, or another collation`;
}
