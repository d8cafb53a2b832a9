/** The MatomoRuntime component on its own: the shared config objects from its args alone. */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { MatomoRuntime, type MatomoRuntimeArgs } from "../../components/matomo/runtime";
import { isSecretWrapper, revealSecrets } from "../../scripts/lib/mockEngine";
import { buildAlone, INSTALLATION, sampleDatabase } from "../support/component";
import { one } from "../support/harness";

function args(changes: Partial<MatomoRuntimeArgs> = {}): MatomoRuntimeArgs {
    return {
        ...INSTALLATION,
        hostname: "stats.example.org",
        serviceHost: "web.analytics.svc",
        tls: false,
        database: sampleDatabase(),
        salt: pulumi.secret("salt-0123456789-0123456789"),
        superuser: { login: "root", password: pulumi.secret("superuser-password-1") },
        php: { memoryLimit: "256M", maxExecutionTime: "30", maxInputTime: "60", timezone: "UTC" },
        maintenance: { disableUi: false, disableTracking: false },
        misc: { storage: "2Gi", accessMode: "ReadWriteOnce", retain: false },
        options: { piwikUrl: "https://stats.example.org/" },
        ...changes,
    };
}

const configIni = async (changes: Partial<MatomoRuntimeArgs> = {}) => {
    const secret = one(await buildAlone(() => new MatomoRuntime("rt", args(changes))), "kubernetes:core/v1:Secret", "rt-config");
    assert.ok(isSecretWrapper(secret.inputs.stringData), "config.ini.php holds passwords: a secret");
    return (revealSecrets(secret.inputs.stringData) as Record<string, string>)["config.ini.php"];
};

describe("MatomoRuntime", () => {
    it("writes config.ini.php for the database, the hostnames and plain HTTP, into a Secret", async () => {
        const ini = await configIni();
        assert.match(ini, /^host = "mariadb\.analytics\.svc"$/m);
        assert.match(ini, /^password = "database-password-1"$/m);
        assert.match(ini, /^trusted_hosts\[\] = "stats\.example\.org"\ntrusted_hosts\[\] = "web\.analytics\.svc"$/m);
        assert.doesNotMatch(ini, /assume_secure_protocol/);
        assert.doesNotMatch(ini, /^\[mail\]/m, "no mail without a relay");
    });

    it("turns the maintenance switches into Matomo's settings", async () => {
        const ini = await configIni({ maintenance: { disableUi: true, disableTracking: true } });
        assert.match(ini, /^maintenance_mode = 1$/m);
        assert.match(ini, /^record_statistics = 0$/m);
        assert.match(ini, /^multi_server_environment = 0$/m);
    });

    it("activates LoginLdap only with LDAP, its bind password only inside config.ini.php", async () => {
        let runtime: MatomoRuntime | undefined;
        const ldap = {
            servers: [
                {
                    name: "corp",
                    hostname: "ldap.example.org",
                    port: 389,
                    baseDn: "dc=example,dc=org",
                    adminUser: "cn=m,dc=example,dc=org",
                    adminPassword: pulumi.secret("bind-1"),
                    startTls: true,
                },
            ],
            useLdapForAuthentication: true,
            synchronizeUsersAfterLogin: true,
            enableSynchronizeAccessFromLdap: false,
            newUserDefaultSitesViewAccess: "",
            userIdField: "uid",
            mailField: "mail",
            userEmailSuffix: "",
            requiredMemberOf: "",
            ldapUserFilter: "",
        };
        await buildAlone(() => (runtime = new MatomoRuntime("rt", args({ ldap }))));
        assert.deepEqual(runtime!.plugins, ["LoginLdap"]);
        assert.match(await configIni({ ldap }), /^admin_pass = "bind-1"$/m);
    });

    it("activates the stack's plugins, each once, with LoginLdap added by LDAP", async () => {
        let runtime: MatomoRuntime | undefined;
        await buildAlone(() => (runtime = new MatomoRuntime("rt", args({ plugins: ["QueuedTracking", "LoginLdap", "QueuedTracking"] }))));
        assert.deepEqual(runtime!.plugins, ["QueuedTracking", "LoginLdap"]);
        const ini = await configIni({});
        assert.match(ini, /^enable_plugins_admin = 0$/m, "the UI cannot switch plugins in one pod's copy of the file");
    });

    it("lets the misc/ claim go with the stack when not retained, with the cluster's default class", async () => {
        const claim = one(await buildAlone(() => new MatomoRuntime("rt", args())), "kubernetes:core/v1:PersistentVolumeClaim");
        assert.equal(claim.options.retainOnDelete, false);
        assert.equal(claim.inputs.spec.storageClassName, undefined);
        assert.equal(claim.inputs.spec.resources.requests.storage, "2Gi");
    });

    it("names a claim that exists already, with the directory in it that is misc/, and creates none", async () => {
        let runtime: MatomoRuntime | undefined;
        const misc = { existingClaim: { name: "chart-matomo-pvc", subPath: "matomo/misc" } };
        const result = await buildAlone(() => (runtime = new MatomoRuntime("rt", args({ misc }))));
        assert.equal(result.resources.filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim").length, 0);
        assert.equal(await new Promise((resolve) => runtime!.miscClaimName.apply(resolve)), "chart-matomo-pvc");
        assert.equal(runtime!.miscSubPath, "matomo/misc");
    });

    it("changes its checksum when a database-stored option changes, so the web pods roll", async () => {
        const checksum = async (options: Record<string, string>) => {
            let runtime: MatomoRuntime | undefined;
            await buildAlone(() => (runtime = new MatomoRuntime("rt", args({ options }))));
            return new Promise<string>((resolve) => runtime!.checksum.apply(resolve));
        };
        const off = await checksum({ "PrivacyManager.forceCookielessTracking": "0" });
        assert.notEqual(await checksum({ "PrivacyManager.forceCookielessTracking": "1" }), off);
        assert.equal(await checksum({ "PrivacyManager.forceCookielessTracking": "0" }), off);
    });

    it("ships each PHP script with the files it requires from its own directory", async () => {
        const data = one(await buildAlone(() => new MatomoRuntime("rt", args())), "kubernetes:core/v1:ConfigMap", "rt-scripts").inputs
            .data as Record<string, string>;
        const required = [...data["database.php"].matchAll(/require __DIR__ \. '\/([^']+)'/g)].map((m) => m[1]);
        assert.deepEqual(required, ["database-connection.php"]);
        for (const file of required) assert.ok(file in data, file);
    });

    it("keeps php.ini in a ConfigMap, with the settings it was given", async () => {
        const php = one(await buildAlone(() => new MatomoRuntime("rt", args())), "kubernetes:core/v1:ConfigMap", "rt-php").inputs.data[
            "php.ini"
        ];
        assert.match(php, /^memory_limit = 256M$/m);
        assert.match(php, /^max_input_time = 60$/m);
    });
});
