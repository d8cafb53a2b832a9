/**
 * The log-fetching Job's script (components/jobs/scripts/sync-logs.sh), run with sh (dash), rsync
 * and ssh against a real sshd on 127.0.0.1 that plays the log hosts: which files it copies (never
 * one the web server may still be writing), where they land, what `delete` removes, and that a log
 * host whose key is not the one in known_hosts gets nothing copied and fails the run, while the
 * other sources are still synced. The same through Debian's real rrsync, with the authorized_keys
 * line docs/log-import.md gives.
 */
import assert from "node:assert/strict";
import {
    chmodSync,
    copyFileSync,
    existsSync,
    mkdirSync,
    mkdtempSync,
    readdirSync,
    readFileSync,
    rmSync,
    statSync,
    utimesSync,
    writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ROOT } from "./support/harness";
import { spawnGroupSync } from "./support/processes";
import { generateKey, sshdPath, TestSshServer } from "./support/sshServer";
import { requireBinaries } from "./support/system";

const SCRIPT = join(ROOT, "components", "jobs", "scripts", "sync-logs.sh");

/** One line of LOG_SOURCES_FILE. */
interface Source {
    site: number;
    dir: string;
    pattern: string;
    skipNewest?: boolean;
    settleMinutes?: number;
    delete?: boolean;
    host?: string;
    rrsyncDir?: string;
}

describe("sync-logs.sh over real SSH", function () {
    this.timeout(30_000);
    let server: TestSshServer;
    let dir: string;
    let remote: string;
    let logs: string;

    before(async function () {
        requireBinaries(this, "rsync", "ssh", "ssh-keygen");
        const sshd = sshdPath();
        if (!sshd) return requireBinaries(this, "sshd");
        server = await TestSshServer.start(sshd);
        dir = mkdtempSync(join(tmpdir(), "matomo-sync-logs-"));
        // Mode 0440, as the Secret is mounted. ssh refuses such a key when it owns it (as here, and
        // root in CI) and accepts it otherwise: the script must hand ssh a private copy.
        copyFileSync(server.clientKey, join(dir, "key"));
        chmodSync(join(dir, "key"), 0o440);
        writeFileSync(join(dir, "known_hosts"), server.knownHosts);
    });

    after(async () => {
        await server?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    beforeEach(() => {
        remote = join(dir, "remote");
        logs = join(dir, "logs");
        for (const d of [remote, logs]) rmSync(d, { recursive: true, force: true });
        mkdirSync(logs);
    });

    /** A file on the log host, last modified `minutesAgo`. */
    const remoteFile = (path: string, text: string, minutesAgo: number) => {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, text);
        const time = new Date(Date.now() - minutesAgo * 60_000);
        utimesSync(path, time, time);
    };

    const run = (sources: Source[], env: Record<string, string> = {}) => {
        const lines = sources.map((s) =>
            [
                s.site,
                server.user,
                s.host ?? "127.0.0.1",
                server.port,
                s.dir,
                s.pattern,
                s.skipNewest ?? true,
                s.settleMinutes ?? 10,
                s.delete ?? false,
                s.rrsyncDir ?? "",
            ].join("\t"),
        );
        writeFileSync(join(dir, "sources"), `${lines.join("\n")}\n`);
        // In a process group of its own: even a stuck ssh cannot outlive the test.
        return spawnGroupSync("sh", [SCRIPT], {
            encoding: "utf8",
            timeout: 20_000,
            env: {
                PATH: process.env.PATH,
                LOG_SOURCES_FILE: join(dir, "sources"),
                LOG_ROOT: logs,
                LOG_SSH_KEY_FILE: join(dir, "key"),
                LOG_SSH_KNOWN_HOSTS_FILE: join(dir, "known_hosts"),
                LOG_SSH_STRICT: "yes",
                LOG_TIMEOUT_SECONDS: "10",
                ...env,
            },
        });
    };

    /** The files of a site's log directory, with their contents. */
    const copied = (site: number) => {
        const siteDir = join(logs, String(site));
        if (!existsSync(siteDir)) return {};
        return Object.fromEntries(readdirSync(siteDir).map((name) => [name, readFileSync(join(siteDir, name), "utf8")]));
    };

    it("copies finished logs into each site's directory, never one that may still be written", () => {
        // A directory name the shell would split and expand, and a sibling its `*` would match.
        const web = join(remote, `web one $HOME 'q' é`);
        remoteFile(join(web, "access.log.1"), "one\n", 180);
        remoteFile(join(web, "access log $x é.2"), "two\n", 120);
        remoteFile(join(web, "access.log.3"), "being written\n", 60);
        remoteFile(join(web, "error.log"), "not an access log\n", 240);
        const star = join(remote, "b*c");
        remoteFile(join(star, "a.log"), "a\n", 60);
        remoteFile(join(star, "b.log"), "just written\n", 0);
        remoteFile(join(remote, "bxc", "x.log"), "another directory\n", 60);
        mkdirSync(join(logs, "2"));
        writeFileSync(join(logs, "2", "old.log"), "gone from the log host, kept without delete\n");

        const result = run([
            { site: 1, dir: web, pattern: "access*" },
            { site: 2, dir: star, pattern: "*.log", skipNewest: false, settleMinutes: 5 },
        ]);
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(copied(1), { "access.log.1": "one\n", "access log $x é.2": "two\n" });
        assert.deepEqual(copied(2), { "a.log": "a\n", "old.log": "gone from the log host, kept without delete\n" });
        assert.match(result.stdout, /skipped, still being written: access\.log\.3 \(the newest\)/);
        assert.match(result.stdout, /skipped, still being written: b\.log \(modified .* less than 5 minutes ago\)/);
        assert.match(result.stdout, /site 1: 4 files listed, 3 match, 1 skipped as still being written, 2 copied/);
        assert.match(result.stdout, /site 2: 2 files listed, 2 match, 1 skipped as still being written, 1 copied/);
    });

    it("copies a file again only when it changed on the log host", () => {
        const web = join(remote, "web");
        remoteFile(join(web, "access.log.1"), "one\n", 120);
        remoteFile(join(web, "access.log.2"), "two\n", 90);
        remoteFile(join(web, "access.log.3"), "three\n", 60);
        assert.equal(run([{ site: 1, dir: web, pattern: "access.log.*" }]).status, 0);
        remoteFile(join(web, "access.log.2"), "two, and a late line\n", 80);

        const result = run([{ site: 1, dir: web, pattern: "access.log.*" }]);
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(copied(1), { "access.log.1": "one\n", "access.log.2": "two, and a late line\n" });
        assert.match(result.stdout, /1 copied \(1 already up to date\)/);
    });

    it("with delete, removes local files of the pattern that are gone from the log host, and nothing else", () => {
        const web = join(remote, "web");
        remoteFile(join(web, "access.log.1"), "one\n", 120);
        remoteFile(join(web, "access.log.2"), "two\n", 60);
        mkdirSync(join(logs, "3"));
        writeFileSync(join(logs, "3", "access.log.0"), "rotated away\n");
        writeFileSync(join(logs, "3", "notes.txt"), "not a log\n");
        // Still on the log host, though not copied this time (the newest): it stays.
        writeFileSync(join(logs, "3", "access.log.2"), "copied by an earlier run\n");

        const result = run([{ site: 3, dir: web, pattern: "access.log.*", delete: true }]);
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(copied(3), { "access.log.1": "one\n", "access.log.2": "copied by an earlier run\n", "notes.txt": "not a log\n" });
        assert.match(result.stdout, /deleted access\.log\.0 \(no longer on the log host\)/);
        assert.match(result.stdout, /site 3: .* 1 deleted/);
    });

    it("copies nothing from a log host whose key is not the one in known_hosts, whatever ssh_config says", () => {
        const web = join(remote, "web");
        remoteFile(join(web, "access.log.1"), "one\n", 120);
        remoteFile(join(web, "access.log.2"), "two\n", 60);
        const impostor = generateKey(join(dir, `other-${Date.now()}`));
        writeFileSync(join(dir, "wrong_known_hosts"), `[127.0.0.1]:${server.port} ${impostor}\n`);
        writeFileSync(join(dir, "ssh_config"), "Host *\n    StrictHostKeyChecking no\n    UserKnownHostsFile /dev/null\n");

        const result = run([{ site: 5, dir: web, pattern: "access.log.*" }], {
            LOG_SSH_KNOWN_HOSTS_FILE: join(dir, "wrong_known_hosts"),
            LOG_SSH_CONFIG_FILE: join(dir, "ssh_config"),
        });
        assert.equal(result.status, 1);
        assert.match(result.stderr, /FAILED: site 5 from .*: listing .* failed .*: the host key does not match known_hosts/);
        assert.deepEqual(copied(5), {});
    });

    it("reports a failed source and still syncs the others", () => {
        const web = join(remote, "web");
        remoteFile(join(web, "access.log.1"), "one\n", 120);
        remoteFile(join(web, "access.log.2"), "two\n", 60);

        const result = run([
            { site: 6, dir: join(remote, "missing"), pattern: "access.log.*" },
            { site: 7, dir: web, pattern: "access.log.*", host: "-oProxyCommand=touch /tmp/injected" },
            { site: 8, dir: web, pattern: "access.log.*" },
        ]);
        assert.equal(result.status, 1);
        assert.deepEqual(copied(8), { "access.log.1": "one\n" });
        assert.match(result.stderr, /FAILED for these sources[^\n]*\n {2}site 6 from .*missing: listing .* failed \(rsync exit \d+\)\n/);
        assert.match(result.stderr, /site 7 .*: host '-oProxyCommand=touch \/tmp\/injected' is not a host name or address/);
        assert.doesNotMatch(result.stderr, /site 8/);
    });

    it("warns on every run when the operator switched host-key checking off", () => {
        const web = join(remote, "web");
        remoteFile(join(web, "access.log.1"), "one\n", 120);
        remoteFile(join(web, "access.log.2"), "two\n", 60);

        const result = run([{ site: 9, dir: web, pattern: "access.log.*" }], {
            LOG_SSH_STRICT: "no",
            LOG_SSH_KNOWN_HOSTS_FILE: join(dir, "does-not-exist"),
        });
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stderr, /WARNING: host keys are NOT verified/);
        assert.deepEqual(copied(9), { "access.log.1": "one\n" });
    });

    describe("through rrsync -ro", () => {
        /** rrsync's directory on the log host, as the authorized_keys line names it. */
        let root: string;
        let rrsyncKey: string;

        before(function () {
            requireBinaries(this, "rrsync", "python3");
            // The line the docs tell operators to write, with its directory and key replaced.
            const docs = readFileSync(join(ROOT, "docs", "log-import.md"), "utf8");
            const example = /^ *(command="rrsync -ro (\/var\/log\/apache2)",restrict) ssh-ed25519 /m.exec(docs);
            assert.ok(example, "docs/log-import.md shows an authorized_keys line with rrsync -ro /var/log/apache2");
            root = join(dir, "remote", "apache2");
            rrsyncKey = join(dir, "rrsync_key");
            copyFileSync(server.authorize(example[1].replace(example[2], root)), rrsyncKey);
            chmodSync(rrsyncKey, 0o440);
        });

        /** Every file under the log host's directory, with its contents. */
        const logHost = (): Record<string, string> =>
            Object.fromEntries(
                readdirSync(remote, { recursive: true, encoding: "utf8" })
                    .filter((path) => !statSync(join(remote, path)).isDirectory())
                    .map((path) => [path, readFileSync(join(remote, path), "utf8")]),
            );

        it("lists, leaves out files still being written, copies and deletes local copies, and changes nothing on the log host", () => {
            // Names rrsync would split, unescape or expand as a pattern, and a sibling `b*c` would match.
            const web = join(root, `web one $HOME 'q' é`);
            remoteFile(join(web, "access log $x é.1"), "one\n", 180);
            remoteFile(join(web, "access.log.2"), "two\n", 120);
            remoteFile(join(web, "access.log.3"), "being written\n", 60);
            remoteFile(join(web, "error.log"), "not an access log\n", 240);
            const star = join(root, "b*c [x]?");
            remoteFile(join(star, "a.log"), "a\n", 60);
            remoteFile(join(star, "b.log"), "just written\n", 0);
            remoteFile(join(root, "bxc xy", "x.log"), "another directory\n", 60);
            remoteFile(join(root, "access.log.1"), "in rrsync's directory itself\n", 60);
            mkdirSync(join(logs, "12"));
            writeFileSync(join(logs, "12", "old.log"), "rotated away on the log host\n");
            const before = logHost();

            const result = run(
                [
                    { site: 11, dir: web, pattern: "access*", rrsyncDir: root },
                    { site: 12, dir: star, pattern: "*.log", skipNewest: false, settleMinutes: 5, delete: true, rrsyncDir: `${root}/` },
                    { site: 13, dir: root, pattern: "access.log.*", skipNewest: false, rrsyncDir: root },
                ],
                { LOG_SSH_KEY_FILE: rrsyncKey },
            );
            assert.equal(result.status, 0, result.stderr);
            assert.deepEqual(copied(11), { "access log $x é.1": "one\n", "access.log.2": "two\n" });
            assert.deepEqual(copied(12), { "a.log": "a\n" });
            assert.deepEqual(copied(13), { "access.log.1": "in rrsync's directory itself\n" });
            assert.match(result.stdout, /site 11 from .*, .*web one .* \(rrsync -ro .*apache2\)/);
            assert.match(result.stdout, /skipped, still being written: access\.log\.3 \(the newest\)/);
            assert.match(result.stdout, /skipped, still being written: b\.log \(modified .* less than 5 minutes ago\)/);
            assert.match(result.stdout, /deleted old\.log \(no longer on the log host\)/);
            assert.match(result.stdout, /site 11: 4 files listed, 3 match, 1 skipped as still being written, 2 copied/);
            assert.match(result.stdout, /site 12: 2 files listed, 2 match, 1 skipped as still being written, 1 copied .* 1 deleted/);
            assert.match(result.stdout, /site 13: 1 files listed, 1 match, 0 skipped as still being written, 1 copied/);
            assert.deepEqual(logHost(), before, "-ro: the log host keeps every file");
        });

        it("fails a source without rrsyncDir, saying what to set (rrsync refuses the -s it sends), and still fetches the others", () => {
            const web = join(root, "web");
            remoteFile(join(web, "access.log.1"), "one\n", 120);
            remoteFile(join(web, "access.log.2"), "two\n", 60);

            const result = run(
                [
                    { site: 14, dir: web, pattern: "access.log.*" },
                    { site: 15, dir: web, pattern: "access.log.*", rrsyncDir: root },
                ],
                { LOG_SSH_KEY_FILE: rrsyncKey },
            );
            assert.equal(result.status, 1);
            assert.match(result.stderr, /option -s has been disabled/);
            assert.match(
                result.stderr,
                /FAILED: site 14 .*: listing .* failed \(rsync exit 12\): the log host restricts this key with rrsync; set the source's rrsyncDir/,
            );
            assert.deepEqual(copied(14), {});
            assert.deepEqual(copied(15), { "access.log.1": "one\n" });
        });

        it("fails a source whose rrsyncDir is not the one rrsync serves, or whose path is outside it, with the reason", () => {
            const web = join(root, "web");
            remoteFile(join(web, "access.log.1"), "one\n", 120);
            remoteFile(join(web, "access.log.2"), "two\n", 60);

            const result = run(
                [
                    { site: 16, dir: web, pattern: "access.log.*", rrsyncDir: remote },
                    { site: 17, dir: join(remote, "apache"), pattern: "access.log.*", rrsyncDir: root },
                ],
                { LOG_SSH_KEY_FILE: rrsyncKey },
            );
            assert.equal(result.status, 1);
            assert.match(
                result.stderr,
                /FAILED: site 16 .*: listing .* failed .*: is .*remote \(rrsyncDir\) the directory of the rrsync command/,
            );
            assert.match(result.stderr, /FAILED: site 17 .*: .*apache is not inside rrsyncDir .*apache2\n/);
            assert.deepEqual(copied(16), {});
        });
    });
});
