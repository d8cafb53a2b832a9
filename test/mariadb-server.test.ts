/**
 * The MariaDB server config the program renders, proven on a real mariadbd 10.11: every option
 * shows up in SHOW VARIABLES with the configured value. (The seed chart's `mariadb.commands` reached
 * the server as one argument, and only its first option ever took effect.)
 */
import assert from "node:assert/strict";
import { parseConfig, type EeaConfig } from "../components/config";
import { parseMariadbSize } from "../components/k8s/units";
import { renderServerConfig, type ServerOption } from "../components/database/serverOptions";
import { eea } from "./support/configCases";
import { sourceOf, stackConfig } from "./support/harness";
import { TestMariaDb } from "./support/mariadbServer";
import { requireBinaries } from "./support/system";

function configOf(values: Record<string, string>): EeaConfig {
    const { config, issues } = parseConfig(sourceOf({ values, secretKeys: [] }));
    assert.deepEqual(issues, []);
    return eea(config!);
}

/** Whether SHOW VARIABLES' text means the configured value (sizes in bytes, 0/1 as OFF/ON). */
function sameValue(configured: string, shown: string): boolean {
    const bytes = parseMariadbSize(configured);
    if (bytes !== undefined && /^\d+$/.test(shown)) return bytes === Number(shown);
    const booleans: Record<string, string> = { "0": "OFF", "1": "ON" };
    return configured.toLowerCase() === shown.toLowerCase() || booleans[configured] === shown;
}

function assertApplied(options: readonly ServerOption[], variables: Map<string, string>): void {
    for (const option of options) {
        const shown = variables.get(option.name);
        assert.notEqual(shown, undefined, `${option.name} is not a server variable`);
        if (option.value !== undefined) {
            assert.ok(sameValue(option.value, shown!), `${option.name}: configured ${option.value}, server has ${shown}`);
        }
    }
}

describe("MariaDB server config on a real mariadbd", function () {
    this.timeout(120_000);

    before(function () {
        requireBinaries(this, "mariadbd", "mariadb-install-db", "mariadb");
    });

    const stacks: [string, () => EeaConfig][] = [
        ["the seed defaults", () => configOf({ "matomo:matomo": JSON.stringify({ hostname: "a.example.com" }) })],
        ["the dev stack", () => configOf(stackConfig("dev").values)],
    ];

    for (const [name, config] of stacks) {
        it(`applies every option of ${name}`, async () => {
            const options = config().mariadb.serverOptions;
            assert.ok(options.length >= 16);
            const server = await TestMariaDb.start(renderServerConfig(options));
            try {
                assertApplied(options, server.variables());
            } finally {
                await server.stop();
            }
        });
    }

    it("refuses to start with a misspelt option, so a typo cannot go unnoticed", async () => {
        await assert.rejects(
            TestMariaDb.start(renderServerConfig([{ name: "max_conections", value: "5" }])),
            /did not start[\s\S]*unknown variable/,
        );
    });
});
