/**
 * Builds components on their own under the mock engine (no stack config, no other component), and
 * the stand-ins a Matomo workload needs: a database endpoint and the shared runtime objects.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpoint } from "../../components/database/endpoint";
import type { InstallationArgs } from "../../components/k8s/installation";
import type { MatomoWorkload } from "../../components/matomo/podBuilder";
import type { ProgramRun } from "../../scripts/lib/mockEngine";
import { runQuickly } from "./harness";

/**
 * Runs `build` (which creates the component under test) alone, and returns what it registered.
 * The component is not a stack output: Pulumi would warn about each of its unset optional fields.
 */
export function buildAlone(build: () => unknown, stack = "test"): Promise<ProgramRun> {
    return runQuickly({
        config: {},
        stack,
        program: () => {
            build();
        },
    });
}

/** Where a component under test deploys. */
export const INSTALLATION: InstallationArgs = { namespace: "analytics", instance: "matomo-test" };

/** A database endpoint as the MariaDB component would give it (built inside a program run). */
export function sampleDatabase(overrides: Partial<DatabaseEndpoint> = {}): DatabaseEndpoint {
    return {
        host: pulumi.output("mariadb.analytics.svc"),
        port: 3306,
        database: "matomo",
        user: "matomo",
        password: pulumi.secret("database-password-1"),
        passwordSecret: { name: pulumi.output("mariadb-credentials"), key: "password" },
        schema: "Mariadb",
        charset: "utf8mb4",
        collation: "utf8mb4_general_ci",
        loadDataInfile: true,
        podPatch: { initContainers: [], volumes: [], egress: [] },
        dependencies: [],
        ...overrides,
    };
}

/** The shared fields of a Matomo workload, with stand-in runtime objects (built inside a program run). */
export function sampleWorkload(): MatomoWorkload & {
    readonly runtime: MatomoWorkload["runtime"] & {
        superuserSecretName: string;
        scriptsConfigMapName: string;
        checksum: string;
        options: Record<string, string>;
    };
} {
    return {
        ...INSTALLATION,
        image: { reference: "matomo:5.11.2-apache", pullPolicy: "IfNotPresent" },
        runtime: {
            configSecretName: "matomo-config",
            phpConfigMapName: "matomo-php",
            miscClaimName: "matomo-misc",
            superuserSecretName: "matomo-superuser",
            scriptsConfigMapName: "matomo-scripts",
            checksum: "0".repeat(64),
            plugins: [],
            tablesPrefix: "matomo_",
            options: { enableBrowserTriggerArchiving: "0" },
            egress: {},
        },
        database: sampleDatabase(),
        timezone: "UTC",
    };
}
