/**
 * The stack configurations whole-program checks (schema validation, pod security, shellcheck)
 * run over: every repository stack file as it is, plus variants that switch on the parts the
 * stack files leave off, so every object the program can create is covered.
 */
import type { ProgramRun } from "../../scripts/lib/mockEngine";
import { run, runStack, stackConfig, withChanges } from "./harness";

export const VARIANTS: Record<string, () => Promise<ProgramRun>> = {
    dev: () => runStack("dev"),
    "dev, three replicas on shared storage": () =>
        run(withChanges(stackConfig("dev"), { "matomo:matomo": { replicaCount: 3, storageAccessMode: "ReadWriteMany" } })),
    "dev, plain HTTP, default ingress class, existing namespace": () =>
        run(
            withChanges(stackConfig("dev"), {
                "matomo:ingress": { tls: false, letsencrypt: "", className: "" },
                "matomo:createNamespace": "false",
            }),
        ),
    prod: () => runStack("prod"),
    "prod, service-account key instead of Workload Identity": () =>
        run(withChanges(stackConfig("prod"), { "matomo:cloudsql": { identity: "serviceAccountKey" } }), { stack: "prod" }),
    "seed defaults": () =>
        run({ values: { "matomo:matomo": JSON.stringify({ hostname: "analytics.example.com" }) }, secretKeys: [] }),
};
