/**
 * Pure checks for single config values. Each returns undefined when the value is fine, or a short
 * reason that says what is allowed; the schema prefixes it with the key and the value received.
 */

import { parseIp } from "./cidr";
import { cronNeverFiresReason, cronScheduleError } from "./cronSchedule";

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A Kubernetes DNS-1123 label: namespaces, container names. */
export function checkDnsLabel(value: string): string | undefined {
    return DNS_LABEL.test(value)
        ? undefined
        : "expected a DNS label: 1-63 lower-case letters, digits or '-', starting and ending with a letter or digit";
}

/** A Kubernetes DNS-1123 subdomain: object names such as Secrets and storage classes. */
export function checkDnsSubdomain(value: string): string | undefined {
    if (value.length > 253) return "expected at most 253 characters";
    return value.split(".").every((label) => DNS_LABEL.test(label))
        ? undefined
        : "expected a DNS subdomain: dot-separated lower-case labels of letters, digits and '-'";
}

/** A public hostname for the Ingress and Matomo's trusted_hosts. */
export function checkHostname(value: string): string | undefined {
    if (/^[a-z]+:\/\//i.test(value)) return "expected a bare hostname such as analytics.example.com, without a scheme";
    if (parseIp(value.replace(/^\[(.*)\]$/, "$1"))?.family === 6) {
        return "expected a DNS name such as analytics.example.com: an IPv6 address is no Ingress host, and no host of a URL as written";
    }
    if (/[/:]/.test(value)) return "expected a bare hostname such as analytics.example.com, without a port or path";
    if (value !== value.toLowerCase()) return "expected a lower-case hostname (Kubernetes rejects upper case in Ingress hosts)";
    if (value.startsWith("*")) return "expected a concrete hostname; wildcards cannot be Matomo's trusted host";
    if (!value.includes(".")) return "expected a fully qualified hostname such as analytics.example.com";
    return checkDnsSubdomain(value) === undefined
        ? undefined
        : "expected a hostname made of dot-separated labels of lower-case letters, digits and '-'";
}

/** An optional DNS subdomain: the empty string means "use the cluster default". */
export function checkOptionalDnsSubdomain(value: string): string | undefined {
    return value === "" ? undefined : checkDnsSubdomain(value);
}

/**
 * An IANA time zone name known to the runtime's time zone database (e.g. `Europe/Copenhagen`),
 * spelt as the database spells it: the runtime matches names in any case, but a CronJob's
 * `spec.timeZone` and the containers' `TZ` are looked up as files, whose names are case-sensitive.
 */
export function checkTimezone(value: string): string | undefined {
    const hint = "expected an IANA time zone name such as Europe/Copenhagen or UTC";
    if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value)) return hint;
    let canonical: string;
    try {
        canonical = new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone;
    } catch {
        return hint;
    }
    // The canonical name differs only in case: the same zone, spelt wrongly.
    if (canonical !== value && canonical.toLowerCase() === value.toLowerCase())
        return `time zone names are case-sensitive; use "${canonical}"`;
    // An alias (Asia/Calcutta, US/Eastern, Etc/UTC) keeps its own name; each of its parts starts in upper case.
    if (canonical !== value && !value.split("/").every((part) => /^[A-Z]/.test(part))) {
        return `time zone names are case-sensitive; "${value}" is not spelt as the time zone database spells it (e.g. ${canonical})`;
    }
    return undefined;
}

const REGISTRY = String.raw`(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?/)`;
const PATH_COMPONENT = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
const REPOSITORY = new RegExp(`^${REGISTRY}?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);

/** An image repository without tag, e.g. `matomo` or `ghcr.io/acme/matomo`. */
export function checkImageRepository(value: string): string | undefined {
    if (value.includes("@") || /:[^/]*$/.test(value.replace(/^[^/]*:\d+\//, ""))) {
        return "expected a repository without tag or digest (put the tag in the `tag` key)";
    }
    return REPOSITORY.test(value) && value.length <= 255
        ? undefined
        : "expected an image repository such as mariadb or registry.example.com/team/matomo";
}

/** An image tag (`5.11.2-apache`) or a digest (`sha256:<64 hex>`) to pin the exact image. */
export function checkImageTag(value: string): string | undefined {
    if (/^sha256:[a-f0-9]{64}$/.test(value)) return undefined;
    return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(value)
        ? value === "latest"
            ? "expected a pinned tag; `latest` changes under you and makes rollouts unreproducible"
            : undefined
        : "expected an image tag such as 5.11.2-apache, or a digest sha256:<64 hex digits>";
}

/** A MySQL/MariaDB user name, portable to MySQL 8 and Cloud SQL (at most 32 characters). */
export function checkDatabaseUser(value: string): string | undefined {
    return /^[A-Za-z0-9_]{1,32}$/.test(value) ? undefined : "expected 1-32 letters, digits or underscores";
}

/** A MySQL/MariaDB database name that needs no quoting. */
export function checkDatabaseName(value: string): string | undefined {
    return /^[A-Za-z0-9_]{1,64}$/.test(value) ? undefined : "expected 1-64 letters, digits or underscores";
}

/**
 * A password or salt that `config.ini.php` can hold. Matomo reads the file with PHP's
 * `parse_ini_string`, which interpolates `${...}` and treats quotes, backslashes and line breaks
 * specially inside a double-quoted value; rather than depend on escaping rules that changed
 * between Matomo releases, such characters are refused.
 */
export function checkIniSafeSecret(value: string): string | undefined {
    const text = checkIniText(value);
    if (text) return `it ${text}`;
    if (value.length < 12) return "it must be at least 12 characters long";
    return undefined;
}

/** Text `config.ini.php` can hold in a double-quoted value (see {@link checkIniSafeSecret}). */
export function checkIniText(value: string): string | undefined {
    return /["\\\r\n\0]/.test(value) || value.includes("${")
        ? 'must not contain a double quote, a backslash, a line break or "${" (config.ini.php cannot hold them reliably)'
        : undefined;
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** A Kubernetes annotation key: optional DNS-subdomain prefix and a name of at most 63 characters. */
export function checkAnnotationKey(value: string): string | undefined {
    const slash = value.lastIndexOf("/");
    const prefix = slash >= 0 ? value.slice(0, slash) : undefined;
    const name = slash >= 0 ? value.slice(slash + 1) : value;
    if (prefix !== undefined && checkDnsSubdomain(prefix) !== undefined) return "the prefix before '/' must be a DNS subdomain";
    if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
        return "expected [prefix/]name with a name of 1-63 letters, digits, '-', '_' or '.'";
    }
    return undefined;
}

/** An ingress-nginx size such as `256m` or `1g` (nginx units, not Kubernetes quantities). */
export function checkNginxSize(value: string): string | undefined {
    return /^\d+[kKmMgG]?$/.test(value) ? undefined : "expected an nginx size such as 256m or 1g";
}

/** Whole seconds, as ingress-nginx timeouts need (`"180s"` is silently ignored by ingress-nginx). */
export function checkSeconds(value: string): string | undefined {
    return /^\d+$/.test(value) ? undefined : "expected whole seconds such as 1200 (without a unit)";
}

/** An e-mail address (the practical subset Matomo's installer accepts). */
export function checkEmail(value: string): string | undefined {
    const hint = "expected an e-mail address such as admin@example.com";
    const at = value.lastIndexOf("@");
    if (at < 1) return hint;
    const [local, domain] = [value.slice(0, at), value.slice(at + 1)];
    if (local.length > 64 || !/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/.test(local)) return hint;
    return checkMailDomain(domain) === undefined ? undefined : `${hint} (${checkMailDomain(domain)})`;
}

/**
 * The domain of an address as Matomo's validator (Zend_Validate_Hostname, any TLD) takes it: two
 * or more labels of letters, digits and dashes, none starting or ending with a dash or with dashes
 * in its 3rd and 4th place (except punycode's xn--), a last label of two or more characters that
 * starts with a letter.
 */
export function checkMailDomain(domain: string): string | undefined {
    const labels = domain.split(".");
    if (labels.length < 2 || domain.length < 4 || domain.length > 254) return "the domain needs a name and a top-level domain";
    for (const label of labels) {
        if (!/^[A-Za-z0-9-]{1,63}$/.test(label)) return `"${label}" is not a domain label`;
        if (label.startsWith("-") || label.endsWith("-") || (label.slice(2, 4) === "--" && !/^xn--/i.test(label))) {
            return `"${label}" has a dash where Matomo refuses one`;
        }
    }
    const top = labels[labels.length - 1];
    if (top.length < 2) return "the top-level domain has fewer than two characters";
    // PHP's filter_var(FILTER_VALIDATE_EMAIL), which Piwik::isValidEmailString applies, wants a letter first.
    return /^[A-Za-z]/.test(top)
        ? undefined
        : `the top-level domain "${top}" starts with a digit, which Matomo refuses: an IP address is no mail domain`;
}

/** An http(s) URL of a website to track. */
export function checkWebsiteUrl(value: string): string | undefined {
    try {
        const url = new URL(value);
        return url.protocol === "http:" || url.protocol === "https:" ? undefined : "expected an http:// or https:// URL";
    } catch {
        return "expected a URL such as https://www.example.com";
    }
}

/**
 * A CronJob schedule as the Kubernetes API server accepts it (cronSchedule.ts): five fields (minute
 * hour day-of-month month day-of-week) or a descriptor such as @hourly, without a `TZ=` prefix;
 * and one that fires at all.
 */
export function checkCronSchedule(value: string): string | undefined {
    const problem = cronScheduleError(value);
    if (problem !== undefined) return `expected a five-field cron schedule such as "5 * * * *" or a descriptor such as @hourly; ${problem}`;
    const never = cronNeverFiresReason(value);
    return never === undefined ? undefined : `it never fires: ${never}`;
}

/** A Kubernetes label key: an optional DNS-subdomain prefix and `/`, then a name (as the API server checks it). */
export function checkLabelKey(key: string): string | undefined {
    const slash = key.lastIndexOf("/");
    const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [undefined, key];
    if (prefix !== undefined && (prefix.length > 253 || checkDnsSubdomain(prefix) !== undefined)) {
        return `the prefix ${JSON.stringify(prefix)} is not a DNS subdomain`;
    }
    return /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/.test(name)
        ? undefined
        : "expected a label name: 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
}

/** A Kubernetes label value: empty, or up to 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric. */
export function checkLabelValue(value: string): string | undefined {
    return value === "" || /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/.test(value)
        ? undefined
        : "expected a label value: up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
}
