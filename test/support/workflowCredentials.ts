/**
 * Which credentials a job of a GitHub workflow can read, for the promise of docs/ci-cd.md that no
 * job a pull request starts can change a stack: the write credentials are the secrets the `pulumi up`
 * jobs read, kept in those jobs' environments (which admit only main); a pull request's jobs read
 * secrets only from an environment of their own, `<stack>-preview`, whose identity can only read.
 */

export interface CredentialJob {
    uses?: string;
    environment?: string | { name: string };
    secrets?: unknown;
    steps?: { uses?: string; with?: Record<string, unknown> }[];
    strategy?: { matrix?: { include?: Record<string, unknown>[] } };
}
export interface CredentialWorkflow {
    on?: unknown;
    jobs: Record<string, CredentialJob>;
}

/** The events a workflow's `on:` names (a string, a list, or a map of events). */
export function triggers(workflow: CredentialWorkflow): string[] {
    const on = workflow.on;
    if (typeof on === "string") return [on];
    if (Array.isArray(on)) return on.map(String);
    return on && typeof on === "object" ? Object.keys(on) : [];
}

/** The secret names a job's text reads (`secrets.NAME`), and whether it reads others it cannot name. */
export function secretsRead(job: CredentialJob): { names: string[]; unnamed: boolean } {
    const text = JSON.stringify(job);
    const names = [...new Set([...text.matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]))];
    return { names, unnamed: /\bsecrets\s*\[/.test(text) || job.secrets !== undefined };
}

/** The job's environment names, a `${{ matrix.stack }}` in it expanded for each entry of the matrix. */
export function environmentsOf(job: CredentialJob): string[] {
    const name = typeof job.environment === "object" ? job.environment.name : job.environment;
    if (name === undefined) return [];
    if (!name.includes("${{")) return [name];
    const stacks = (job.strategy?.matrix?.include ?? []).map((entry) => String(entry.stack));
    return stacks.map((stack) => name.replace(/\$\{\{\s*matrix\.stack\s*\}\}/g, stack));
}

const updates = (job: CredentialJob) =>
    (job.steps ?? []).some((step) => step.uses?.startsWith("pulumi/actions@") && step.with?.command !== "preview");

/** The jobs that change a stack (a `pulumi/actions` step other than a preview): their secrets and environments. */
export function writeCredentials(workflows: Map<string, CredentialWorkflow>): { secrets: Set<string>; environments: Set<string> } {
    const writers = [...workflows.values()].flatMap((w) => Object.values(w.jobs)).filter(updates);
    return {
        secrets: new Set(writers.flatMap((job) => secretsRead(job).names)),
        environments: new Set(writers.flatMap(environmentsOf)),
    };
}

/** The workflow files a pull request runs: those it triggers, and the reusable ones they call. */
export function pullRequestWorkflows(workflows: Map<string, CredentialWorkflow>): string[] {
    const started = [...workflows].filter(([, w]) => triggers(w).some((t) => t.startsWith("pull_request"))).map(([f]) => f);
    const called = started.flatMap((file) =>
        Object.values(workflows.get(file)!.jobs).flatMap((job) => /^\.\/\.github\/workflows\/(.+)$/.exec(job.uses ?? "")?.[1] ?? []),
    );
    return [...new Set([...started, ...called])];
}

/** What lets a job that a pull request starts read a write credential; empty when nothing does. */
export function pullRequestCredentialProblems(workflows: Map<string, CredentialWorkflow>): string[] {
    const write = writeCredentials(workflows);
    const problems = [...workflows]
        .filter(([, w]) => triggers(w).includes("pull_request_target"))
        .map(([file]) => `${file}: pull_request_target runs a pull request with the base branch's secrets`);
    for (const file of pullRequestWorkflows(workflows)) {
        for (const [id, job] of Object.entries(workflows.get(file)!.jobs)) {
            const where = `${file} ${id}`;
            const { names, unnamed } = secretsRead(job);
            const environments = environmentsOf(job);
            if (unnamed) problems.push(`${where}: reads secrets by a computed name or passes them on`);
            for (const name of names.filter((n) => write.secrets.has(n))) problems.push(`${where}: reads ${name}, a secret of an update`);
            for (const env of environments.filter((e) => write.environments.has(e)))
                problems.push(`${where}: runs in ${env}, an update's environment`);
            if (names.length > 0 && (environments.length === 0 || !environments.every((e) => e.endsWith("-preview")))) {
                problems.push(
                    `${where}: reads ${names.join(", ")} outside a <stack>-preview environment (a repository secret any branch can read)`,
                );
            }
        }
    }
    return problems;
}
