/**
 * Topology external with a CA of its own, through the whole program: every container that opens a
 * connection to the database mounts the CA that config.ini.php and the scripts name, or its
 * connection fails ("failed loading cafile stream", then PDO's [2002]). A container opens one when
 * it is handed the database's address (the PDO scripts, the backup clients), runs Matomo's console
 * or one of Matomo's Job scripts (which run it), or serves Matomo (the web pod's main container).
 */
import assert from "node:assert/strict";
import { SCRIPTS_MOUNT } from "../components/matomo/paths";
import type { ProgramRun } from "../scripts/lib/mockEngine";
import { podSpecOf, workloads, type Container } from "./support/harness";
import { EXTERNAL_EXAMPLE_VARIANT, VARIANTS } from "./support/variants";

const CA_VOLUME = "database-ca";
const CA_DIR = "/etc/matomo-database-tls";

/**
 * Why a container talks to the database, or undefined when it does not; `servesMatomo` is true for
 * the web pod's main containers that run Matomo's image (not a sidecar such as the metrics exporter).
 */
function databaseUse(container: Container, servesMatomo: boolean): string | undefined {
    const command = [...(container.command ?? []), ...(container.args ?? [])].join(" ");
    if ((container.env ?? []).some((e) => /^(MATOMO|BACKUP)_DB_HOST$/.test(e.name))) return "is handed the database's address";
    if (/\bconsole\b/.test(command)) return "runs Matomo's console";
    if (command.includes(`${SCRIPTS_MOUNT}/`)) return "runs one of Matomo's Job scripts";
    if (servesMatomo) return "serves Matomo";
    return undefined;
}

/** Every container that talks to the database and lacks the CA mount, with why it needs it. */
function missingCa(result: ProgramRun): string[] {
    return workloads(result).flatMap((w) => {
        const spec = podSpecOf(w);
        // The Matomo image: the one the init container that prepares the webroot runs.
        const matomoImage = spec.initContainers?.find((c) => c.name === "prepare-webroot")?.image;
        const containers = [
            ...(spec.initContainers ?? []).map((c) => [c, false] as const),
            ...spec.containers.map((c) => [c, true] as const),
        ];
        return containers.flatMap(([container, main]) => {
            const servesMatomo = main && w.name.startsWith("matomo-web") && container.image === matomoImage;
            const use = databaseUse(container as Container, servesMatomo);
            const mounts = (container.volumeMounts ?? []) as { name: string; mountPath: string }[];
            const mounted = mounts.some((m) => m.name === CA_VOLUME && m.mountPath === CA_DIR);
            const volume = (spec.volumes ?? []).some((v) => v.name === CA_VOLUME);
            return use && !(mounted && volume) ? [`${w.name}/${container.name} ${use}`] : [];
        });
    });
}

describe("the database's CA in every container that talks to the database", () => {
    for (const variant of ["everything on, external database", EXTERNAL_EXAMPLE_VARIANT]) {
        it(`is mounted wherever a connection is opened (${variant})`, async () => {
            const result = await VARIANTS[variant]();
            const users = workloads(result).filter((w) => podSpecOf(w).volumes?.some((v) => v.name === CA_VOLUME));
            assert.ok(users.length > 0, "the stack mounts a CA of its own");
            assert.deepEqual(missingCa(result), []);
        });
    }
});
