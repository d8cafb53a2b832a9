/**
 * Mail: Matomo logs in at the configured SMTP server itself (no relay pod, so the namespace stays
 * Pod Security `restricted`). Its config.ini.php names the server, TLS and login; the password
 * comes from its own Secret and is added to `[mail]` when a pod starts, which the real sh and PHP
 * run here against the rendered config.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../components/config";
import { smtpEncryption } from "../components/matomo/configIni";
import { prepareWebrootScript } from "../components/matomo/scripts";
import { isSecretWrapper, revealSecrets, type ProgramRun } from "../scripts/lib/mockEngine";
import { parseIniWithPhp } from "./support/php";
import { all, DEV_EXTRAS, matomoWorkloads, one, podSpecOf, run, runStack, sourceOf, stackConfig, withChanges } from "./support/harness";
import { writeMinimalMatomoCode } from "./support/matomoCodeTree";
import { requireBinaries } from "./support/system";
import { LDAP_VARIANT, ldapVariantConfig } from "./support/variants";

type Obj = Record<string, any>;

const configIni = (r: ProgramRun) =>
    (revealSecrets(one(r, "kubernetes:core/v1:Secret", "matomo-config").inputs.stringData) as Obj)["config.ini.php"] as string;
const configVolume = (w: Parameters<typeof podSpecOf>[0]) => podSpecOf(w).volumes!.find((v) => v.name === "config") as Obj | undefined;

const STACKS = {
    [DEV_EXTRAS]: { user: "matomo-dev", sender: "noreply@matomo.dev.example.com" },
    prod: { user: "analytics@example.com", sender: "analytics@example.com" },
} as const;

for (const [stack, expected] of Object.entries(STACKS)) {
    describe(`mail (${stack} stack)`, () => {
        let result: ProgramRun;
        before(async () => {
            result = await runStack(stack);
        });

        it("sends straight to the SMTP server with a login and TLS required, and no relay pod", function () {
            requireBinaries(this, "php");
            const mail = parseIniWithPhp(configIni(result)).mail;
            assert.deepEqual(mail, {
                transport: "smtp",
                host: "smtp.example.com",
                port: "587",
                encryption: "tls",
                type: "LOGIN",
                username: expected.user,
            });
            assert.ok(configIni(result).includes(`noreply_email_address = "${expected.sender}"`));
            assert.doesNotMatch(configIni(result), /password = "[^"]*"\n*$/, "the password is not in the rendered config");
            const names = result.resources.map((r) => r.name);
            assert.ok(!names.some((n) => n.startsWith("postfix")), names.join(", "));
        });

        it("gives every Matomo pod the password Secret beside config.ini.php, never in its spec", () => {
            for (const w of matomoWorkloads(result).filter((w) => configVolume(w))) {
                const sources = configVolume(w)!.projected.sources as Obj[];
                assert.deepEqual(
                    sources[1],
                    { secret: { name: "smtp-relay", items: [{ key: "password", path: "smtp-password" }] } },
                    w.name,
                );
                const prepare = podSpecOf(w).initContainers!.find((c) => c.name === "prepare-webroot")!;
                assert.match(prepare.command!.at(-1)!, /smtp-password/, w.name);
            }
        });
    });
}

describe("mail in detail", () => {
    it("is off without postfix.relay: no [mail], no password volume", async () => {
        const off = await runStack("dev");
        assert.doesNotMatch(configIni(off), /^\[mail\]/m);
        assert.doesNotMatch(configIni(off), /noreply_email_address/);
        for (const w of matomoWorkloads(off).filter((w) => configVolume(w))) {
            assert.equal((configVolume(w)!.projected.sources as Obj[]).length, 1, w.name);
            assert.doesNotMatch(podSpecOf(w).initContainers!.at(-1)!.command!.at(-1)!, /smtp-password/);
        }
    });

    it("keeps a password set in the stack in its own Secret, and rolls the pods when it changes", async () => {
        const ldap = await LDAP_VARIANT();
        const secret = one(ldap, "kubernetes:core/v1:Secret", "matomo-smtp");
        assert.ok(isSecretWrapper(secret.inputs.stringData));
        assert.deepEqual(revealSecrets(secret.inputs.stringData), { password: "smtp-relay-secret-1" });
        const web = one(ldap, "kubernetes:apps/v1:Deployment", "matomo-web-deployment");
        assert.equal(configVolume(web)!.projected.sources[1].secret.name, secret.state.metadata.name);
        const checksum = (r: ProgramRun) =>
            one(r, "kubernetes:apps/v1:Deployment", "matomo-web-deployment").inputs.spec.template.metadata.annotations["checksum/config"];
        const rotated = await run(
            withChanges(ldapVariantConfig(), { "matomo:postfix": { password: "smtp-relay-secret-2" } }, ["matomo:postfix"]),
        );
        assert.notEqual(checksum(rotated), checksum(ldap));
        const extras = await runStack(DEV_EXTRAS);
        assert.equal(all(extras, "kubernetes:core/v1:Secret").filter((s) => s.name === "matomo-smtp").length, 0, "existingSecret: none");
    });

    it("maps the TLS level to what Matomo hands PHPMailer", () => {
        assert.equal(smtpEncryption("encrypt", 587), "tls");
        assert.equal(smtpEncryption("encrypt", 25), "tls");
        assert.equal(smtpEncryption("encrypt", 465), "ssl");
        assert.equal(smtpEncryption("may", 587), "", "STARTTLS when offered (PHPMailer's SMTPAutoTLS)");
        assert.equal(smtpEncryption("none", 25), "none");
    });
});

describe("the SMTP password at pod start (sh and PHP)", function () {
    this.timeout(20_000);
    let dir: string;
    let n = 0;

    before(function () {
        requireBinaries(this, "php", "sh");
        dir = mkdtempSync(join(tmpdir(), "matomo-smtp-"));
    });
    after(() => {
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** prepare-webroot on a minimal code tree, with the dev+extras config and `password` in the mount. */
    async function prepare(password: string | undefined) {
        const root = join(dir, String(++n));
        const [code, webroot, mount] = ["code", "webroot", "mount"].map((d) => join(root, d));
        writeMinimalMatomoCode(code);
        for (const d of [webroot, mount]) mkdirSync(d, { recursive: true });
        writeFileSync(join(mount, "config.ini.php"), configIni(await runStack(DEV_EXTRAS)));
        if (password !== undefined) writeFileSync(join(mount, "smtp-password"), password);
        const script = prepareWebrootScript({ smtpPassword: true, paths: { code, webroot, configMount: mount } });
        const result = spawnSync("sh", ["-c", script], { encoding: "utf8" });
        return { run: result, config: () => readFileSync(join(webroot, "config", "config.ini.php"), "utf8") };
    }

    it("adds the password to [mail], where PHP reads it with the login", async () => {
        const { run, config } = await prepare("s3cret pass/with;symbols'");
        assert.equal(run.status, 0, run.stderr);
        const ini = parseIniWithPhp(config());
        assert.equal(ini.mail.password, "s3cret pass/with;symbols'");
        assert.equal(ini.mail.username, "matomo-dev");
        assert.deepEqual(ini.Plugins.Plugins, ["CoreHome"], "the plugin sections still follow");
        assert.ok(!run.stdout.includes("s3cret") && !run.stderr.includes("s3cret"), "never printed");
    });

    for (const [what, password] of [
        ["a trailing newline (a Secret written with echo)", "zq9\n"],
        ["a double quote", 'zq"9'],
        ["a backslash", "zq\\9"],
        ["${", "zq${x}"],
    ] as const) {
        it(`fails the pod, saying what to do, for a password with ${what}`, async () => {
            const { run } = await prepare(password);
            assert.equal(run.status, 1);
            assert.match(
                run.stderr,
                /the SMTP password \(postfix\.password, or key password of the Secret in postfix\.existingSecret\) contains/,
            );
            assert.ok(!run.stderr.includes("zq"), "the password is not echoed");
        });
    }

    it("fails the pod for an empty or missing password", async () => {
        assert.match((await prepare("")).run.stderr, /is empty/);
        assert.match((await prepare(undefined)).run.stderr, /cannot be read/);
    });
});

/**
 * PHPMailer::isValidHost (PHPMailer 6.9, Matomo 5's mailer; 7.x has the same rules), which
 * smtpConnect applies to `[mail] host` before it connects: a name, an IPv4 address, or an IPv6
 * address only in brackets. True where it accepts the host.
 */
const PHPMAILER_VALID_HOST = `
$valid = function ($host) {
    if (empty($host) || !is_string($host) || strlen($host) > 256 || !preg_match('/^([a-zA-Z\\d.-]*|\\[[a-fA-F\\d:]+\\])$/', $host)) return false;
    if (strlen($host) > 2 && substr($host, 0, 1) === '[' && substr($host, -1, 1) === ']') return filter_var(substr($host, 1, -1), FILTER_VALIDATE_IP, FILTER_FLAG_IPV6) !== false;
    if (is_numeric(str_replace('.', '', $host))) return filter_var($host, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4) !== false;
    return filter_var('http://' . $host, FILTER_VALIDATE_URL) !== false;
};
echo json_encode(array_map($valid, json_decode(stream_get_contents(STDIN), true)));`;

function phpMailerAccepts(hosts: string[]): boolean[] {
    const result = spawnSync("php", ["-r", PHPMAILER_VALID_HOST], { input: JSON.stringify(hosts), encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as boolean[];
}

describe("an IPv6 address as the SMTP server", function () {
    before(function () {
        requireBinaries(this, "php");
    });

    const withRelay = (relay: string, blocks?: string[]) =>
        withChanges(stackConfig(DEV_EXTRAS), {
            "matomo:postfix": { relay },
            ...(blocks ? { "matomo:networkPolicy": { egressTo: { smtp: blocks } } } : {}),
        });

    it("is accepted bare or in brackets, and written in brackets, the one form PHPMailer connects to", async () => {
        for (const relay of ["2001:db8::25", "[2001:db8::25]"]) {
            const mail = parseIniWithPhp(configIni(await run(withRelay(relay)))).mail;
            assert.equal(mail.host, "[2001:db8::25]", relay);
        }
        assert.deepEqual(phpMailerAccepts(["[2001:db8::25]", "2001:db8::25", "smtp.example.com", "192.0.2.25"]), [true, false, true, true]);
    });

    it("is refused where PHPMailer could not use it, saying what to write", () => {
        for (const [relay, why] of [
            ["::ffff:192.0.2.1", /hex groups only; write 0:0:0:0:0:ffff:c000:201, or the IPv4 address itself/],
            ["fe80::1%eth0", /without a port \(postfix\.port sets it\) or an IPv6 zone/],
            ["2001:db8::25:587x", /without a port/],
            ["[smtp.example.com]", /an IPv6 address in the brackets/],
        ] as const) {
            const { issues } = parseConfig(sourceOf(withRelay(relay)));
            assert.deepEqual(
                issues.map((i) => i.key),
                ["matomo:postfix.relay"],
                relay,
            );
            assert.match(issues[0].message, why, relay);
        }
    });

    it("must be covered by networkPolicy.egressTo.smtp, which allows it in the rendered policies", async () => {
        const v4Only = parseConfig(sourceOf(withRelay("2001:db8::25", ["192.0.2.0/24"]))).issues;
        assert.deepEqual(v4Only, [
            {
                key: "matomo:networkPolicy.egressTo.smtp",
                message: "does not cover 2001:db8::25 (postfix.relay), which the stack connects to; add a block that holds it",
            },
        ]);
        const policies = all(await run(withRelay("2001:db8::25", ["2001:db8::/64"])), "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        const blocks = policies.flatMap((p) =>
            ((p.inputs.spec.egress ?? []) as Obj[]).flatMap((rule) => (rule.to ?? []).map((to: Obj) => to.ipBlock?.cidr)),
        );
        assert.ok(blocks.includes("2001:db8::/64"), blocks.join(", "));
    });

    it("any IPv6 address in hex groups is accepted and written as PHPMailer accepts it", async () => {
        const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
        const address = fc
            .tuple(fc.array(group, { minLength: 8, maxLength: 8 }), fc.nat({ max: 7 }), fc.nat({ max: 4 }))
            .map(([groups, at, length]) => {
                const full = groups.join(":");
                if (length < 2) return full;
                const end = Math.min(8, at + length);
                return `${groups.slice(0, at).join(":")}::${groups.slice(end).join(":")}`;
            });
        const relays = fc.sample(address, 40);
        const hosts: string[] = [];
        for (const relay of relays) {
            const { config, issues } = parseConfig(sourceOf(withRelay(relay)));
            assert.deepEqual(issues, [], relay);
            hosts.push(`[${config!.mail!.host}]`);
        }
        assert.ok(phpMailerAccepts(hosts).every(Boolean), hosts.join(" "));
    });
});
