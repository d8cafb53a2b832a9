/**
 * The docs name the objects the program creates as the program names them. Every name README.md,
 * CONTRIBUTING.md and docs/*.md cite for an object (a CronJob to start a run from, a claim to
 * mount, a Secret to edit, in prose, tables, diagrams and commands) is compared with the names the
 * program renders for the stack files and every test variant: a renamed object cannot leave a
 * command in the docs that fails with "not found".
 *
 * A name is cited when it starts like the program's names do (`matomo-`, `mariadb-`, `log-import-`,
 * `cloudsql-`, ...), follows a kind (CronJob `x`, claim `x`), or follows `kubectl`'s `kind/name`.
 * `*` and `<placeholder>` stand for any part of a name (`matomo-config-*`, the hash Pulumi appends).
 * Names a page creates itself (`kubectl create job --from=... restore-now`) and the few that are
 * not objects ({@link NOT_OBJECTS}) are left out.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ProgramRun } from "../scripts/lib/mockEngine";
import { kubernetesObject } from "../scripts/render";
import { ROOT, run, stackConfig, withChanges } from "./support/harness";
import { fullSuiteOnly } from "./support/unitMode";
import { everyVariant } from "./support/variants";

/** An object the program creates: its kind (as Kubernetes spells it) and name. */
interface Created {
    readonly kind: string;
    readonly name: string;
}

/** A name a page cites, with the kind the text gives it, if any. */
interface Citation {
    readonly name: string;
    readonly kind?: string;
    readonly line: number;
}

/** Names that look like the program's but are something else; each says what it is. */
const NOT_OBJECTS: Readonly<Record<string, string>> = {
    "mariadb-server": "the Debian package the real-tool tests use",
    "mariadb-dump": "MariaDB's dump program",
    "mariadb-upgrade": "MariaDB's upgrade program",
};

/** How the program's names start; `<instance>` is the NetworkPolicies' prefix, `matomo-<stack>`. */
const PREFIX = "(?:matomo|mariadb|data-mariadb|log-import|log-sync|geoipupdate|cloudsql|<instance>)";
/** One more part of a name: a word, `*`, or a `<placeholder>`. */
const PART = "(?:-(?:[a-z0-9]+|\\*|<[a-z-]+>))";
/** A whole name, placeholders allowed. */
const NAME = /^[a-z0-9<]([a-z0-9<>*-]*[a-z0-9>*])?$/;

/** The kind words of the docs, and `kubectl`'s resource names, to the kind Kubernetes gives. */
const KIND_WORDS: Readonly<Record<string, string>> = {
    cronjob: "CronJob",
    job: "Job",
    secret: "Secret",
    service: "Service",
    svc: "Service",
    serviceaccount: "ServiceAccount",
    statefulset: "StatefulSet",
    configmap: "ConfigMap",
    deployment: "Deployment",
    deploy: "Deployment",
    ingress: "Ingress",
    networkpolicy: "NetworkPolicy",
    networkpolicie: "NetworkPolicy",
    claim: "PersistentVolumeClaim",
    pvc: "PersistentVolumeClaim",
    persistentvolumeclaim: "PersistentVolumeClaim",
    pod: "Pod",
};
const KIND = `(${Object.keys(KIND_WORDS).join("|")})s?`;

/** The line number of a position in a text. */
function lineAt(text: string, index: number): number {
    return text.slice(0, index).split("\n").length;
}

/** The names a page creates itself, in its example commands. */
function definedNames(markdown: string): Set<string> {
    const patterns = [
        /\bcreate\s+job\s+(?:--from=\S+\s+)?([a-z0-9-]+)/g,
        /\bkubectl(?:\s+-n\s+\S+)?\s+run\s+([a-z0-9-]+)/g,
        /\bcreate\s+secret\s+(?:generic|docker-registry)\s+([a-z0-9-]+)/g,
        /\bservice-accounts\s+create\s+([a-z0-9-]+)/g,
    ];
    return new Set(patterns.flatMap((p) => [...markdown.matchAll(p)].map((m) => m[1])));
}

/** Every object name a page cites, with its line and the kind the text gives it. */
function citedNames(markdown: string): Citation[] {
    const found = new Map<number, Citation>();
    const add = (index: number, name: string, kind?: string) => {
        if (!NAME.test(name)) return;
        const known = found.get(index);
        found.set(index, { name, kind: kind ?? known?.kind, line: lineAt(markdown, index) });
    };
    // kubectl's kind/name: cronjob/mariadb-restore, job/restore-now, pod/backup-upload.
    for (const m of markdown.matchAll(new RegExp(`(?<![\\w/.-])${KIND}/([a-z0-9][a-z0-9<>*-]*)`, "g"))) {
        add(m.index + m[0].length - m[2].length, m[2], KIND_WORDS[m[1]]);
    }
    // A kind word before a name in backticks: CronJob `matomo-archive`, the claim `mariadb-backups`.
    for (const m of markdown.matchAll(new RegExp(`\\b${KIND}(?: named)? \`([^\`\\s]+)\``, "gi"))) {
        add(m.index + m[0].length - m[2].length - 1, m[2], KIND_WORDS[m[1].toLowerCase()]);
    }
    // Anything that starts like the program's names, anywhere (diagrams and commands included);
    // not a path, an image, an address or a file (`mariadb-client.sh`).
    const prefixed = new RegExp(`(?<![\\w.@$/<>*-])(${PREFIX}${PART}+)(?![\\w@<>*-]|\\.\\w)`, "g");
    for (const m of markdown.matchAll(prefixed)) add(m.index, m[1]);
    return [...found.entries()].sort(([a], [b]) => a - b).map(([, c]) => c);
}

/** Whether a cited name (with its `*` and `<placeholder>` parts) is the name of a created object. */
function nameMatches(cited: string, name: string): boolean {
    const pattern = cited
        .split(/(\*|<[a-z-]+>)/)
        .map((part, i) => (i % 2 ? "[a-z0-9-]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
        .join("");
    return new RegExp(`^${pattern}$`).test(name);
}

/** What is wrong with the names a page cites, one line each. */
function nameProblems(page: string, markdown: string, created: readonly Created[]): string[] {
    const defined = definedNames(markdown);
    return citedNames(markdown).flatMap(({ name, kind, line }) => {
        if (defined.has(name) || name in NOT_OBJECTS) return [];
        const candidates = created.filter((c) => kind === undefined || c.kind === kind);
        if (candidates.some((c) => nameMatches(name, c.name))) return [];
        const what = kind ?? "object";
        const same = [...new Set(candidates.map((c) => c.name))].sort();
        const known = kind ? `; its ${kind}s are ${same.join(", ") || "none"}` : "";
        return [`${page}:${line}: ${name}: the program creates no ${what} of that name${known}`];
    });
}

/** The objects a run creates, with the Pods and claims its StatefulSets make, and its Google names. */
function createdObjects(result: ProgramRun): Created[] {
    const created: Created[] = [];
    for (const r of result.resources) {
        if (r.custom && r.type.startsWith("kubernetes:")) {
            const object = kubernetesObject(r, (v) => v) as { kind: string; metadata: { name: string }; spec?: any };
            created.push({ kind: object.kind, name: object.metadata.name });
            if (object.kind === "StatefulSet") {
                const pod = `${object.metadata.name}-0`;
                created.push({ kind: "Pod", name: pod });
                for (const t of object.spec?.volumeClaimTemplates ?? []) {
                    created.push({ kind: "PersistentVolumeClaim", name: `${String(t.metadata.name)}-${pod}` });
                }
            }
        }
        if (r.type === "gcp:serviceaccount/account:Account") {
            created.push({ kind: "Google service account", name: String(r.inputs.accountId) });
        }
        if (r.type === "gcp:sql/databaseInstance:DatabaseInstance") {
            created.push({ kind: "Cloud SQL instance", name: String(r.state.name ?? r.inputs.name) });
        }
    }
    return created;
}

const DOCS = readdirSync(resolve(ROOT, "docs")).filter((f) => f.endsWith(".md"));
/** CHANGELOG.md is left out: it is history, and names what objects were called then. */
const PAGES = ["README.md", "CONTRIBUTING.md", ...DOCS.map((f) => `docs/${f}`)];

/** Archivers in a list without names: `matomo-archive-<index>`. */
const UNNAMED_ARCHIVERS = () =>
    run(withChanges(stackConfig("dev"), { "matomo:matomocronArchive": [{ forceIdSites: [1] }, { skipIdSites: [1] }] }));

describe("object names in the docs", () => {
    describe("as the program creates them in every variant", () => {
        let created: Created[];
        before(async function () {
            fullSuiteOnly(this);
            this.timeout(120_000);
            created = [];
            // One after the other: the mock engine runs one program at a time.
            for (const runVariant of [...everyVariant(), UNNAMED_ARCHIVERS]) created.push(...createdObjects(await runVariant()));
        });

        it("every object README.md, CONTRIBUTING.md and docs/*.md name is one the program creates", () => {
            assert.ok(created.length > 50, `objects found: ${created.length}`);
            const problems = PAGES.flatMap((page) => nameProblems(page, readFileSync(resolve(ROOT, page), "utf8"), created));
            assert.deepEqual(problems, []);
        });

        it("the pages cite the objects an operator handles by name", () => {
            const cited = new Set(PAGES.flatMap((page) => citedNames(readFileSync(resolve(ROOT, page), "utf8")).map((c) => c.name)));
            for (const name of [
                "matomo-log-sync",
                "matomo-log-import",
                "mariadb-restore",
                "matomo-logs",
                "data-mariadb-0",
                "matomo-archive",
            ]) {
                assert.ok(cited.has(name), `${name} is cited`);
            }
        });
    });

    describe("the checker", () => {
        const objects: Created[] = [
            { kind: "CronJob", name: "matomo-log-sync" },
            { kind: "CronJob", name: "matomo-archive-main-site" },
            { kind: "Secret", name: "matomo-config-b9f190b4" },
            { kind: "PersistentVolumeClaim", name: "data-mariadb-0" },
            { kind: "Service", name: "matomo" },
            { kind: "NetworkPolicy", name: "matomo-dev-default-deny" },
        ];

        it("finds names in prose, tables, diagrams and commands, with the kind the text gives", () => {
            const page = [
                "| fetch | CronJob `matomo-log-sync` | the Secret `matomo-config-*`, Service named `matomo` |",
                '    web --> claim[("claim data-mariadb-0")]',
                "kubectl -n $NS create job --from=cronjob/matomo-archive-<name> archive-now",
                "`<instance>-default-deny`, and the CronJob `spec.timeZone` field",
            ].join("\n");
            assert.deepEqual(citedNames(page), [
                { name: "matomo-log-sync", kind: "CronJob", line: 1 },
                { name: "matomo-config-*", kind: "Secret", line: 1 },
                { name: "matomo", kind: "Service", line: 1 },
                { name: "data-mariadb-0", kind: undefined, line: 2 },
                { name: "matomo-archive-<name>", kind: "CronJob", line: 3 },
                { name: "<instance>-default-deny", kind: undefined, line: 4 },
            ]);
            assert.deepEqual(nameProblems("ok.md", page, objects), []);
        });

        it("leaves out files, images, addresses, names the page creates and names that are not objects", () => {
            const page = [
                "`mariadb-client.sh`, eeacms/matomo-log-analytics, matomo-preview@p.iam.gserviceaccount.com,",
                "matomo-20261201T013000Z.sql.gz, `matomo-<UTC time>.sql.gz`, `mariadb-dump`, matomo:5.11.2",
                "kubectl -n $NS create job --from=cronjob/matomo-log-sync log-sync-now; kubectl logs job/log-sync-now",
            ].join("\n");
            assert.deepEqual(
                citedNames(page).map((c) => c.name),
                ["mariadb-dump", "matomo-log-sync", "log-sync-now", "log-sync-now"],
            );
            assert.deepEqual(nameProblems("ok.md", page, objects), []);
        });

        it("reports a name the program does not create, and a name of another kind", () => {
            const page = "| fetch | CronJob `log-import-sync-*` |\nthe claim `matomo-config-*`, `mariadb-backup-<name>`\n";
            assert.deepEqual(nameProblems("bad.md", page, objects), [
                "bad.md:1: log-import-sync-*: the program creates no CronJob of that name; its CronJobs are matomo-archive-main-site, matomo-log-sync",
                "bad.md:2: matomo-config-*: the program creates no PersistentVolumeClaim of that name; its PersistentVolumeClaims are data-mariadb-0",
                "bad.md:2: mariadb-backup-<name>: the program creates no object of that name",
            ]);
        });

        it("matches `*` and placeholders to any part of a name, and nothing else", () => {
            assert.ok(nameMatches("matomo-config-*", "matomo-config-b9f190b4"));
            assert.ok(nameMatches("matomo-archive-<name>", "matomo-archive-main-site"));
            assert.ok(!nameMatches("matomo-config", "matomo-config-b9f190b4"));
            assert.ok(!nameMatches("matomo-config-*", "matomo-config"));
            assert.ok(!nameMatches("log-import-sync-*", "matomo-log-sync"));
        });
    });
});
