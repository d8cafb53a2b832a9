/**
 * Renovate's custom regex managers as Renovate applies them, and a check of a config's keys against
 * Renovate's option definitions, for test/renovate.test.ts. Renovate (lib/modules/manager/custom/regex)
 * compiles each `matchStrings` entry with the flag `g` on RE2 (JavaScript syntax, no lookaround or
 * backreference), runs it over each file whose path a `managerFilePatterns` entry matches (`/regex/`
 * or a glob), and takes each field from the named group, else from the field's template.
 */

export interface CustomManager {
    customType: string;
    managerFilePatterns: string[];
    matchStrings: string[];
    depNameTemplate?: string;
    datasourceTemplate?: string;
    extractVersionTemplate?: string;
}

export interface Dependency {
    file: string;
    depName?: string;
    currentValue?: string;
    datasource?: string;
    extractVersion?: string;
}

/** A `/regex/flags` file pattern as a RegExp; globs are not used here, so they are refused. */
function filePattern(pattern: string): RegExp {
    const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
    if (!regex) throw new Error(`${pattern}: write file patterns as /regex/ (this check does not read globs)`);
    return new RegExp(regex[1], regex[2]);
}

/** The pattern compiled as Renovate does, after refusing what RE2 cannot run. */
export function compileMatchString(source: string): RegExp {
    if (/\(\?<?[=!]|\\[1-9]|\\k</.test(source)) throw new Error(`${source}: RE2 has no lookaround or backreference`);
    new RegExp(source, "gu"); // RE2 reads the pattern as Unicode, like the flag u
    return new RegExp(source, "g");
}

/** The dependencies a custom regex manager finds in the files `read` returns. */
export function applyManager(manager: CustomManager, files: string[], read: (file: string) => string): Dependency[] {
    if (manager.customType !== "regex") throw new Error(`customType ${manager.customType}: only regex is read here`);
    const templates = [manager.depNameTemplate, manager.datasourceTemplate, manager.extractVersionTemplate];
    if (templates.some((t) => t?.includes("{{"))) throw new Error("a Handlebars template is not read here");
    const patterns = manager.managerFilePatterns.map(filePattern);
    const regexes = manager.matchStrings.map(compileMatchString);
    return files
        .filter((file) => patterns.some((p) => p.test(file)))
        .flatMap((file) =>
            regexes.flatMap((regex) =>
                [...read(file).matchAll(regex)].map((match) => {
                    const groups = match.groups ?? {};
                    const fields: Dependency = {
                        file,
                        depName: groups.depName ?? manager.depNameTemplate,
                        currentValue: groups.currentValue,
                        datasource: groups.datasource ?? manager.datasourceTemplate,
                        extractVersion: groups.extractVersion ?? manager.extractVersionTemplate,
                    };
                    return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as unknown as Dependency;
                }),
            ),
        );
}

interface Option {
    type: "string" | "array" | "object" | "boolean";
    parents?: string[];
    allowedValues?: string[];
}

/**
 * The options renovate.json uses, as lib/config/options/index.ts of renovatebot/renovate defines them
 * (commit c2dd4f8, 2026-08-22): type, and where an option may appear (`parents`; none: anywhere).
 * `$schema` is ignored by Renovate's validation. A key not listed here fails the check: look it up
 * there (or on docs.renovatebot.com/configuration-options) before adding it.
 */
export const RENOVATE_OPTIONS: Record<string, Option> = {
    $schema: { type: "string", parents: [] },
    description: { type: "string" },
    extends: { type: "array", parents: [] },
    enabledManagers: { type: "array", parents: [] },
    customManagers: { type: "array", parents: [] },
    packageRules: { type: "array", parents: [] },
    customType: { type: "string", parents: ["customManagers"], allowedValues: ["jsonata", "regex"] },
    managerFilePatterns: { type: "array", parents: ["customManagers"] },
    matchStrings: { type: "array", parents: ["customManagers"] },
    depNameTemplate: { type: "string", parents: ["customManagers"] },
    datasourceTemplate: { type: "string", parents: ["customManagers"] },
    extractVersionTemplate: { type: "string", parents: ["customManagers"] },
    matchDatasources: { type: "array", parents: ["packageRules"] },
    matchDepNames: { type: "array", parents: ["packageRules"] },
    allowedVersions: { type: "string", parents: ["packageRules"] },
    groupName: { type: "string" },
};

/** What in a config is not an option Renovate takes where it stands, or not of the option's type. */
export function shapeProblems(config: Record<string, unknown>, parent = "", where = ""): string[] {
    return Object.entries(config).flatMap(([name, value]) => {
        const at = where ? `${where}.${name}` : name;
        const option = Object.hasOwn(RENOVATE_OPTIONS, name) ? RENOVATE_OPTIONS[name] : undefined;
        const placed =
            option && (option.parents === undefined || option.parents.includes(parent) || (option.parents.length === 0 && !parent));
        if (!option || !placed) return [`${at}: not an option of Renovate here`];
        const type = Array.isArray(value) ? "array" : typeof value;
        if (type !== option.type) return [`${at}: expected ${option.type}`];
        if (option.allowedValues && !option.allowedValues.includes(value as string))
            return [`${at}: one of ${option.allowedValues.join(", ")}`];
        if (name !== "customManagers" && name !== "packageRules") {
            return Array.isArray(value) && value.some((v) => typeof v !== "string") ? [`${at}: expected strings`] : [];
        }
        return (value as Record<string, unknown>[]).flatMap((entry, i) => shapeProblems(entry, name, `${at}[${i}]`));
    });
}
