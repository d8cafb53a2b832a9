/**
 * Claims that already exist, used instead of the ones the stack would create: Matomo's `misc/`
 * (`matomo.existingClaim`) and MariaDB's data directory (`mariadb.existingClaim`), the migration
 * path that keeps an existing installation's volumes (docs/backup-restore.md). The program cannot
 * read a claim, so what it must know about one is declared, and what cannot work is refused here.
 */
import { string, type Issue } from "../schema/fields";
import { checkDnsSubdomain } from "../schema/validators";
import { rawValue, type ResolveContext } from "./context";

/** An existing claim, and the directory inside it the workload uses (undefined: its root). */
export interface ExistingClaim {
    readonly name: string;
    readonly subPath?: string;
}

/** A directory inside a volume as a mount's `subPath`: relative, going down only, each part a plain name. */
export function checkSubPath(value: string): string | undefined {
    if (value.startsWith("/")) return "expected a path relative to the claim's root, without a leading /, e.g. matomo/misc";
    const parts = value.split("/");
    if (parts.some((p) => p === "." || p === "..")) return "expected a path down into the claim: no . or .. parts (Kubernetes refuses ..)";
    if (parts.some((p) => p === ""))
        return "expected directory names separated by single slashes, without a trailing slash, e.g. matomo/misc";
    if (value.length > 255 || parts.some((p) => !/^[A-Za-z0-9._-]+$/.test(p))) {
        return "expected up to 255 characters of directory names made of letters, digits, '.', '_' and '-'";
    }
    return undefined;
}

/** The pair of keys that name an existing claim and the directory in it that `what` is. */
export function existingClaimFields(what: string, docs: { readonly claim: string; readonly subPath: string }) {
    return {
        existingClaim: string({
            doc: `A PersistentVolumeClaim that already exists in the namespace, used as ${what} instead of a claim the stack creates. ${docs.claim}`,
            optional: true,
            emptyIsUnset: true,
            defaultDoc: "unset: the stack creates the claim",
            check: (v) =>
                checkDnsSubdomain(v) === undefined ? undefined : "expected a claim's name: a DNS subdomain such as analytics-misc",
        }),
        existingClaimSubPath: string({
            doc: `The directory inside \`existingClaim\` that is ${what}. ${docs.subPath}`,
            optional: true,
            emptyIsUnset: true,
            defaultDoc: "unset: the claim's root",
            check: checkSubPath,
        }),
    };
}

/** The existing claim the keys name, if any. */
export function existingClaimOf(value: {
    readonly existingClaim?: string;
    readonly existingClaimSubPath?: string;
}): ExistingClaim | undefined {
    return value.existingClaim === undefined ? undefined : { name: value.existingClaim, subPath: value.existingClaimSubPath };
}

/** The fields the stack sets in the top-level key `name`: written with a value (`""`, the seed's "unset", sets nothing). */
function setFields(ctx: ResolveContext, name: string): string[] {
    let value: unknown;
    try {
        value = JSON.parse(rawValue(ctx, name) ?? "{}");
    } catch {
        return [];
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
    return Object.entries(value)
        .filter(([, v]) => v !== undefined && v !== null && v !== "")
        .map(([k]) => k);
}

interface ClaimSection {
    readonly existingClaim?: string;
    readonly existingClaimSubPath?: string;
}

/** A sub-path without a claim, and the sizes and classes of a claim that exists already: settings without effect. */
function unusedIssues(section: "matomo" | "mariadb", value: ClaimSection, set: readonly string[]): Issue[] {
    const key = (field: string) => `matomo:${section}.${field}`;
    if (value.existingClaim === undefined) {
        return value.existingClaimSubPath === undefined
            ? []
            : [
                  {
                      key: key("existingClaimSubPath"),
                      message: `has no effect without ${section}.existingClaim (the claim the stack creates is used from its root); remove it, or set existingClaim`,
                  },
              ];
    }
    return ["storage", "storageClassName"]
        .filter((field) => set.includes(field))
        .map((field) => ({
            key: key(field),
            message: `has no effect with ${section}.existingClaim set: the stack creates no claim, and ${value.existingClaim} keeps its own size and StorageClass; remove it`,
        }));
}

/** Passwords a data directory made elsewhere already has: generated ones would not open it. */
function passwordIssues(mariadb: MariaDbClaimSection): Issue[] {
    if (mariadb.existingClaim === undefined) return [];
    const users = { password: "mariadb.user (Matomo's and the backups' login)", rootPassword: "root (whom the runbooks log in as)" };
    return (["password", "rootPassword"] as const)
        .filter((field) => mariadb[field] === undefined)
        .map((field) => ({
            key: `matomo:mariadb.${field}`,
            message:
                `is unset, but mariadb.existingClaim (${mariadb.existingClaim}) holds a data directory whose users keep their passwords: a generated one ` +
                `would not be the password of ${users[field]} there; set that one: pulumi config set --secret --path mariadb.${field} '<password>'`,
        }));
}

interface MariaDbClaimSection extends ClaimSection {
    readonly password?: unknown;
    readonly rootPassword?: unknown;
}

/**
 * The rules of the existing-claim keys across the stack. `inClusterDatabase`: whether the stack
 * runs the in-cluster MariaDB (a `mariadb` section is refused as a whole otherwise).
 */
export function existingClaimIssues(
    values: { readonly matomo: ClaimSection; readonly mariadb: MariaDbClaimSection },
    inClusterDatabase: boolean,
    ctx: ResolveContext,
): Issue[] {
    const { matomo, mariadb } = values;
    const database = inClusterDatabase ? [...unusedIssues("mariadb", mariadb, setFields(ctx, "mariadb")), ...passwordIssues(mariadb)] : [];
    const shared =
        inClusterDatabase && matomo.existingClaim !== undefined && matomo.existingClaim === mariadb.existingClaim
            ? [
                  {
                      key: "matomo:mariadb.existingClaim",
                      message:
                          `got ${mariadb.existingClaim}, the claim matomo.existingClaim names too: MariaDB (user 999) and Matomo (user 33) would each ` +
                          "take the whole volume's group for their own at every start (fsGroup), and a ReadWriteOnce claim mounts on one node only; give each its own claim",
                  },
              ]
            : [];
    return [...unusedIssues("matomo", matomo, setFields(ctx, "matomo")), ...database, ...shared];
}
