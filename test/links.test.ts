/**
 * Every link in the docs leads somewhere: README.md, CONTRIBUTING.md, CHANGELOG.md and docs/*.md
 * are read, and each Markdown link and image target is checked. A relative path must exist inside
 * the repository (never above it); an anchor (`#part`, `page.md#part`) must be a heading of its
 * page, slugged as GitHub does; links leave the repository only as web addresses.
 *
 * References in words are checked too, in every text file of the repository (the docs, the stack
 * files' comments, code comments, error messages): a section a reference names ("Deploy" in
 * README.md, the README's "Quick start", docs/scheduled-work.md, "GeoIP") must be a heading of
 * that page. Name a section in quotes, or after the word "section", so that it is checked.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { posix, resolve } from "node:path";

/** The repository root (computed here: this test loads nothing of the program). */
const ROOT = resolve(__dirname, "..");

/** What the checker needs to know of a repository: which paths exist, and the text of a page. */
interface Repo {
    exists(path: string): boolean;
    read(path: string): string | undefined;
}

/** The page's lines, with those of fenced code blocks (examples, not Markdown) left empty. */
function outsideFences(markdown: string): string[] {
    let fence: string | undefined;
    return markdown.split("\n").map((line) => {
        const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
        if (fence) {
            if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
            return "";
        }
        if (marker) fence = marker;
        return marker ? "" : line;
    });
}

/** The text without fenced code blocks and code spans, which hold examples, not links. */
function prose(markdown: string): string {
    // A code span ends at the same number of backticks, and never crosses a blank line.
    return outsideFences(markdown)
        .join("\n")
        .replace(/(`+)(?:(?!\n\s*\n)[\s\S])*?\1/g, "");
}

/** The level and text of each heading of a page. */
function headingsOf(markdown: string): { level: number; text: string }[] {
    return outsideFences(markdown).flatMap((line) => {
        const m = /^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
        return m ? [{ level: m[1].length, text: m[2] }] : [];
    });
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped but `-`, spaces to `-`. */
function slug(heading: string): string {
    const text = heading
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
        .replace(/<[^>]+>/g, "")
        .trim();
    return text
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\p{M}\p{Pc}\- ]/gu, "")
        .replace(/ /g, "-");
}

/** The anchors a page offers: one per heading (`-1`, `-2` for repeats), and HTML ids. */
function anchorsOf(markdown: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    for (const { text } of headingsOf(markdown)) {
        const base = slug(text);
        const count = seen.get(base) ?? 0;
        seen.set(base, count + 1);
        anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const m of prose(markdown).matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(m[1]);
    return anchors;
}

/** Headings that skip a level (`##` straight to `####`), which break a page's outline. */
function levelJumps(page: string, markdown: string): string[] {
    let previous = 0;
    return headingsOf(markdown).flatMap(({ level, text }) => {
        const above = previous;
        previous = level;
        return level > above + 1 ? [`${page}: "${text}" is a level-${level} heading under level ${above}`] : [];
    });
}

/** Every link and image target of a page: inline, reference definitions, and HTML href/src. */
function targetsOf(markdown: string): string[] {
    const text = prose(markdown);
    const inline = [...text.matchAll(/!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)].map((m) =>
        m[1].replace(/^<|>$/g, ""),
    );
    const definitions = [...text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$/gm)].map((m) => m[1]);
    const html = [...text.matchAll(/<(?:a|img)\s[^>]*?(?:href|src)="([^"]+)"/g)].map((m) => m[1]);
    return [...inline, ...definitions, ...html];
}

/** What is wrong with the links of `page` (a path from the repository root), one line each. */
function linkProblems(page: string, repo: Repo): string[] {
    const text = repo.read(page);
    if (text === undefined) return [`${page}: not found`];
    const problems: string[] = [];
    if (/\.\.\/shared\b/.test(text)) problems.push(`${page}: mentions ../shared, which is outside the repository`);
    for (const target of targetsOf(text)) {
        const problem = targetProblem(page, target, repo);
        if (problem) problems.push(`${page}: ${target}: ${problem}`);
    }
    return problems;
}

/** A link's percent-escapes decoded (`%20`), or null when they are malformed. */
function decoded(text: string): string | null {
    try {
        return decodeURIComponent(text);
    } catch {
        return null;
    }
}

function targetProblem(page: string, target: string, repo: Repo): string | undefined {
    if (target === "") return "empty link";
    if (/^(https?|mailto):/i.test(target)) return undefined;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) return "leads outside the repository (only web addresses may)";
    if (target.startsWith("/")) return "an absolute path, which leads outside the repository on GitHub: use a relative one";
    const hash = target.indexOf("#");
    const pathPart = hash < 0 ? target : target.slice(0, hash);
    const anchor = hash < 0 ? undefined : decoded(target.slice(hash + 1));
    const path = decoded(pathPart.split("?")[0]);
    if (anchor === null || path === null) return "a malformed %-escape";
    let file = page;
    if (path !== "") {
        const joined = posix.normalize(posix.join(posix.dirname(page), path));
        if (joined === ".." || joined.startsWith("../")) return "leads outside the repository";
        file = joined.replace(/\/$/, "") || ".";
        if (!repo.exists(file)) return `${file} does not exist`;
    }
    if (anchor === undefined) return undefined;
    if (!file.endsWith(".md")) return `an anchor into ${file}, which is not a Markdown page`;
    const anchors = anchorsOf(repo.read(file) ?? "");
    return anchors.has(anchor) ? undefined : `no heading of ${file} has the anchor #${anchor}`;
}

/** A page as prose names it: README, README.md, CONTRIBUTING.md, docs/x.md, ../docs/x.md, or x.md beside it. */
const PAGE = String.raw`(?<![\w/.-])((?:\.\.\/)?docs\/[a-z0-9-]+\.md|README(?:\.md)?|CONTRIBUTING(?:\.md)?|CHANGELOG(?:\.md)?|[a-z0-9-]+\.md)`;
/** A section's name in quotes: "Quick start", 'Quick start', “Quick start”. */
const QUOTED = String.raw`("[^"\n]+"|“[^”\n]+”|'[^'\n]+')`;

/**
 * The ways prose points at a section of a page: the README's "Deploy" section, "Deploy" in
 * README.md, (docs/scheduled-work.md, "GeoIP" and "Mail"), README, section Deploy, the README's
 * Deploy section. A section is named in quotes or after the word "section"; each named section
 * must be a heading of the page (its start, like "Google topology" for "Google topology
 * (`topology: google`)").
 */
const REFERENCES: readonly RegExp[] = [
    new RegExp(String.raw`${PAGE}'s (?:section )?${QUOTED}`, "g"),
    new RegExp(String.raw`${QUOTED}(?: section)? (?:in|of) (?:the )?${PAGE}`, "g"),
    new RegExp(String.raw`${PAGE},? (?:sections? )?(${QUOTED}(?:(?:,|,? and|,? or) ${QUOTED})*)`, "g"),
    new RegExp(String.raw`${PAGE},? section ([A-Za-z][^.,;:)"\n]*)`, "g"),
    new RegExp(String.raw`${PAGE}'s ([A-Za-z][\w-]*(?: [\w-]+){0,3}) section\b`, "g"),
];

/** A page and the sections a reference names on it. */
interface SectionReference {
    readonly page: string;
    readonly sections: readonly string[];
    readonly text: string;
}

/** Every reference to a section of a page in a text (prose, a comment, an error message). */
function sectionReferences(text: string): SectionReference[] {
    // One line of prose, whatever wraps it: comment markers and line breaks become spaces.
    const flat = text
        .replace(/\\"/g, '"')
        .replace(/\s*\n\s*(?:(?:#|\/\/|\/\*\*|\*)(?!\/)\s*)?/g, " ")
        .replace(/" \+ "/g, "");
    const found: SectionReference[] = [];
    for (const pattern of REFERENCES) {
        for (const m of flat.matchAll(pattern)) {
            const [page, named] = /^\W/.test(m[1]) ? [m[m.length - 1], m[1]] : [m[1], m[2]];
            const sections = [...named.matchAll(new RegExp(QUOTED, "g"))].map((q) => q[1].slice(1, -1));
            found.push({ page, sections: sections.length > 0 ? sections : [named.trim()], text: m[0] });
        }
    }
    return found;
}

/** The repository path of a page as prose names it from `file`. */
function pagePath(name: string, file: string, repo: Repo): string {
    const page = /^(README|CONTRIBUTING|CHANGELOG)$/.test(name) ? `${name}.md` : name.replace(/^\.\.\//, "");
    if (page.includes("/") || repo.exists(page)) return page;
    return file.startsWith("docs/") || repo.exists(`docs/${page}`) ? `docs/${page}` : page;
}

/** A heading's text as a reference names it: without code marks, in lower case. */
function plain(text: string): string {
    return text.replace(/`/g, "").replace(/\s+/g, " ").trim().toLowerCase();
}

/** Whether a heading (plain) is the named section, or starts with it as a whole (`Google topology (...)`). */
function heads(heading: string, section: string): boolean {
    return heading === section || (heading.startsWith(section) && /^[ :(]/.test(heading.slice(section.length)));
}

/** What is wrong with the section references of a file (any text file of the repository), one line each. */
function sectionProblems(file: string, repo: Repo): string[] {
    const raw = repo.read(file) ?? "";
    const text = file.endsWith(".md") ? outsideFences(raw).join("\n") : raw;
    return sectionReferences(text).flatMap(({ page, sections, text: reference }) => {
        const path = pagePath(page, file, repo);
        const markdown = repo.read(path);
        if (markdown === undefined) return [`${file}: ${reference}: ${path} does not exist`];
        const headings = headingsOf(markdown).map((h) => plain(h.text));
        return sections
            .filter((section) => !headings.some((h) => heads(h, plain(section))))
            .map((section) => `${file}: ${reference}: ${path} has no heading "${section}"`);
    });
}

/** Every text file of the repository a reference to the docs may be in: docs, stack files, code, scripts, workflows. */
function textFiles(dir = ""): string[] {
    const skip = new Set(["node_modules", ".git", "bin", ".tmp", "golden"]);
    return readdirSync(resolve(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
        const path = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory()) return skip.has(entry.name) ? [] : textFiles(path);
        const text = /\.(md|ts|js|cjs|mjs|sh|php|ya?ml)$/.test(entry.name) || path === ".ci/run";
        // This file's own examples of broken references are not references.
        return text && entry.name !== "package-lock.json" && path !== "test/links.test.ts" ? [path] : [];
    });
}

/** The repository on disk. */
const disk: Repo = {
    exists: (path) => existsSync(resolve(ROOT, path)),
    read: (path) => (existsSync(resolve(ROOT, path)) ? readFileSync(resolve(ROOT, path), "utf8") : undefined),
};

/** A repository of a few pages in memory, for the checker's own tests. */
function memory(files: Record<string, string>): Repo {
    const dirs = new Set(Object.keys(files).flatMap((f) => f.split("/").map((_, i, parts) => parts.slice(0, i).join("/"))));
    return { exists: (path) => path in files || dirs.has(path), read: (path) => files[path] };
}

const DOCS = readdirSync(resolve(ROOT, "docs")).filter((f) => f.endsWith(".md"));
const PAGES = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", ...DOCS.map((f) => `docs/${f}`)];

describe("links in the docs", () => {
    it("every link of README.md, CONTRIBUTING.md, CHANGELOG.md and docs/*.md leads to a file and heading of the repository", () => {
        const started = Date.now();
        assert.ok(PAGES.length >= 9, `pages found: ${PAGES.join(", ")}`);
        const problems = PAGES.flatMap((page) => linkProblems(page, disk));
        assert.deepEqual(problems, []);
        assert.ok(Date.now() - started < 1000, "the check is fast");
    });

    it("no heading of those pages skips a level, and each page starts with its title", () => {
        const jumps = PAGES.flatMap((page) => levelJumps(page, disk.read(page)!));
        assert.deepEqual(jumps, []);
    });

    it('every section a doc, a stack file, a comment or a message names (the README\'s "Deploy") is a heading of its page', () => {
        const files = textFiles();
        assert.ok(files.includes("Pulumi.prod.yaml") && files.includes(".ci/run") && files.includes("components/config/sections/ldap.ts"));
        const references = files.flatMap((file) => sectionReferences(disk.read(file)!));
        assert.ok(references.length >= 5, `references found: ${references.map((r) => r.text).join("; ")}`);
        assert.deepEqual(
            files.flatMap((file) => sectionProblems(file, disk)),
            [],
        );
    });

    it("README.md links every page of docs/", () => {
        const linked = new Set(targetsOf(disk.read("README.md")!).map((t) => t.split("#")[0]));
        const unlinked = PAGES.filter((p) => p.startsWith("docs/") && !linked.has(p));
        assert.deepEqual(unlinked, []);
    });

    describe("the checker", () => {
        const repo = memory({
            "README.md": [
                "# Title",
                "## Quick start",
                "## Google topology (`topology: google`)",
                "## Quick start",
                "See [docs](docs/guide.md#set-it-up), [here](#quick-start-1), [Google](#google-topology-topology-google),",
                "![logo](docs/logo.png), [dir](docs/), [web](https://example.com/x#y) and [ref][r].",
                "",
                "```sh",
                "[not a link](missing.md)",
                "```",
                "Code: `[not a link](missing.md)`.",
                "",
                "[r]: docs/guide.md",
            ].join("\n"),
            "docs/guide.md": "# Guide\n\n## Set it up!\n\nBack to the [README](../README.md#title).\n",
            "docs/logo.png": "",
        });

        it("slugs headings as GitHub does", () => {
            assert.equal(slug("Google topology (`topology: google`)"), "google-topology-topology-google");
            assert.equal(slug("Set it up!"), "set-it-up");
            assert.equal(slug("The seed's `mariadb.commands`, as applied here"), "the-seeds-mariadbcommands-as-applied-here");
            assert.equal(slug("Back up and restore: S3 / GCS"), "back-up-and-restore-s3--gcs");
            assert.deepEqual([...anchorsOf("# A\n## A\n```\n# not a heading\n```\n## A\n")], ["a", "a-1", "a-2"]);
            assert.deepEqual(levelJumps("x.md", "# A\n## B\n#### C\n## D\n"), ['x.md: "C" is a level-4 heading under level 2']);
            assert.deepEqual(levelJumps("y.md", "## Untitled\n"), ['y.md: "Untitled" is a level-2 heading under level 0']);
        });

        it("finds inline links, images, reference definitions, and none inside code", () => {
            const targets = targetsOf(repo.read("README.md")!);
            assert.deepEqual(targets, [
                "docs/guide.md#set-it-up",
                "#quick-start-1",
                "#google-topology-topology-google",
                "docs/logo.png",
                "docs/",
                "https://example.com/x#y",
                "docs/guide.md",
            ]);
        });

        it("accepts links that resolve", () => {
            assert.deepEqual(linkProblems("README.md", repo), []);
            assert.deepEqual(linkProblems("docs/guide.md", repo), []);
        });

        it("finds the sections prose, comments and messages name, and checks each against the headings of its page", () => {
            const text = [
                '# Before the first `pulumi up`, see "Quick start" in README.md (APIs).',
                "  # from Secret Manager (docs/guide.md, \"Set it up!\" and 'Gone').",
                "The roles the README's \"Google topology\" section asks; as the README's",
                "# Quick start section does; see README, section Nowhere. The seed's README table.",
                '"with the plugin in it (see docs/guide.md, " + "\\"Set it up!\\")",',
            ].join("\n");
            assert.deepEqual(
                sectionReferences(text).map((r) => `${r.page}: ${r.sections.join(" | ")}`),
                [
                    "README: Google topology",
                    "README.md: Quick start",
                    "docs/guide.md: Set it up! | Gone",
                    "docs/guide.md: Set it up!",
                    "README: Nowhere",
                    "README: Quick start",
                ],
            );
            const checked = memory({
                ...Object.fromEntries(["README.md", "docs/guide.md"].map((f) => [f, repo.read(f)!])),
                "code.ts": text,
            });
            assert.deepEqual(sectionProblems("code.ts", checked), [
                'code.ts: docs/guide.md, "Set it up!" and \'Gone\': docs/guide.md has no heading "Gone"',
                'code.ts: README, section Nowhere: README.md has no heading "Nowhere"',
            ]);
        });

        it("reports a missing file, a missing anchor, a link out of the repository, a bad escape and a mention of ../shared", () => {
            const broken = memory({
                "docs/broken.md": [
                    "# Broken",
                    "[gone](missing.md), [no heading](../README.md#nowhere), [here](#broken-1),",
                    "[seeds](../../shared/seeds/000.txt), [root](/etc/passwd), [file](file:///etc/passwd),",
                    "![picture](img/none.png), [bad](a%zz.md); the seeds were in ../shared/seeds/.",
                ].join("\n"),
                "README.md": "# Title\n",
            });
            assert.deepEqual(linkProblems("docs/broken.md", broken), [
                "docs/broken.md: mentions ../shared, which is outside the repository",
                "docs/broken.md: missing.md: docs/missing.md does not exist",
                "docs/broken.md: ../README.md#nowhere: no heading of README.md has the anchor #nowhere",
                "docs/broken.md: #broken-1: no heading of docs/broken.md has the anchor #broken-1",
                "docs/broken.md: ../../shared/seeds/000.txt: leads outside the repository",
                "docs/broken.md: /etc/passwd: an absolute path, which leads outside the repository on GitHub: use a relative one",
                "docs/broken.md: file:///etc/passwd: leads outside the repository (only web addresses may)",
                "docs/broken.md: img/none.png: docs/img/none.png does not exist",
                "docs/broken.md: a%zz.md: a malformed %-escape",
            ]);
        });
    });
});
