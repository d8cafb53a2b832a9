/**
 * Sizes in the three notations this program meets: Kubernetes quantities (`512Mi`, `2Gi`, `250m`),
 * PHP shorthand bytes (`512M`, `4G`, `-1`) and MariaDB option sizes (`128M`, `10G`). Each parser
 * returns undefined for text it does not understand, so callers can say what is allowed.
 */

const KIBI = 1024;
const BINARY_SUFFIX: Readonly<Record<string, number>> = {
    Ki: KIBI,
    Mi: KIBI ** 2,
    Gi: KIBI ** 3,
    Ti: KIBI ** 4,
    Pi: KIBI ** 5,
    Ei: KIBI ** 6,
};
const DECIMAL_SUFFIX: Readonly<Record<string, number>> = {
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
};

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** Value of a Kubernetes quantity in base units (bytes, cores), or undefined if it is not one. */
export function parseQuantity(text: string): number | undefined {
    const match = QUANTITY.exec(text);
    if (!match) return undefined;
    const [, number, suffix = "", exponent] = match;
    const factor = exponent !== undefined ? 10 ** Number(exponent) : (BINARY_SUFFIX[suffix] ?? DECIMAL_SUFFIX[suffix]);
    return Number(number) * factor;
}

export const QUANTITY_HINT = "expected a Kubernetes quantity such as 512Mi, 2Gi or 10Gi";
export const CPU_HINT = "expected a Kubernetes CPU quantity such as 250m, 1 or 1.5";

/** Checks a memory or storage quantity: well-formed, positive, whole bytes. */
export function checkByteQuantity(text: string): string | undefined {
    const bytes = parseQuantity(text);
    if (bytes === undefined) return QUANTITY_HINT;
    if (bytes <= 0) return "must be greater than zero";
    if (!Number.isInteger(bytes)) return "must be a whole number of bytes";
    return undefined;
}

/** Checks a CPU quantity: well-formed, positive, at least 1m. */
export function checkCpuQuantity(text: string): string | undefined {
    const cores = parseQuantity(text);
    if (cores === undefined) return CPU_HINT;
    if (cores < 0.001) return "must be at least 1m (one thousandth of a core)";
    return undefined;
}

/** Formats a byte count for messages, in the largest binary unit that divides it. */
export function formatBytes(bytes: number): string {
    for (const [suffix, factor] of Object.entries(BINARY_SUFFIX).reverse()) {
        if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${suffix}`;
    }
    return `${bytes}`;
}

const PHP_SIZE = /^(\d+)(K|M|G)?$/i;
const PHP_SIZE_WITH_KUBERNETES_SUFFIX = /^(\d+)(Ki|Mi|Gi)$/;

/**
 * Canonical PHP memory size, or undefined if the text is not one. PHP's `K`/`M`/`G` suffixes are
 * binary already, so the Kubernetes-style `4096Mi` the seed chart documented (which PHP itself
 * would misread as 4096 bytes) is converted to the `4096M` it meant.
 */
export function normalizePhpSize(text: string): string | undefined {
    const trimmed = text.trim();
    if (trimmed === "-1") return "-1";
    const kube = PHP_SIZE_WITH_KUBERNETES_SUFFIX.exec(trimmed);
    if (kube) return `${kube[1]}${kube[2][0]}`;
    const php = PHP_SIZE.exec(trimmed);
    if (!php) return undefined;
    return `${php[1]}${(php[2] ?? "").toUpperCase()}`;
}

/** Bytes of a canonical PHP size; Infinity for `-1` (no limit). */
export function phpSizeBytes(canonical: string): number {
    if (canonical === "-1") return Infinity;
    const [, number, suffix = ""] = PHP_SIZE.exec(canonical) ?? [];
    const factor = suffix === "G" ? KIBI ** 3 : suffix === "M" ? KIBI ** 2 : suffix === "K" ? KIBI : 1;
    return Number(number) * factor;
}

export const PHP_SIZE_HINT = 'expected a PHP size such as 512M or 4G (a Kubernetes-style "4096Mi" is accepted and read as 4096M)';

const MARIADB_SIZE = /^(\d+)([KMGTPE])?$/i;

/** Bytes of a MariaDB size option value (`128M`, `10G`, `1073741824`), or undefined. */
export function parseMariadbSize(text: string): number | undefined {
    const match = MARIADB_SIZE.exec(text.trim());
    if (!match) return undefined;
    const power = match[2] ? "KMGTPE".indexOf(match[2].toUpperCase()) + 1 : 0;
    return Number(match[1]) * KIBI ** power;
}
