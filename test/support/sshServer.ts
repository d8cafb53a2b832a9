/**
 * A throw-away OpenSSH server (Debian's sshd) on 127.0.0.1, for tests that must prove something
 * over real SSH: its own host key, one client key allowed to log in as the current user (more, with
 * authorized_keys options of their own, through `authorize`), and a known_hosts line that names it
 * the way ssh looks it up (`[127.0.0.1]:port`).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./mariadbServer";
import { leftoverProcesses } from "./processes";

/**
 * sshd's absolute path (it refuses to run from a relative one), or undefined when it is not
 * installed. Debian puts it in /usr/sbin, which an ordinary user's PATH may lack.
 */
export function sshdPath(): string | undefined {
    const found = spawnSync("sh", ["-c", "command -v sshd"], { encoding: "utf8" }).stdout.trim();
    if (found.startsWith("/")) return found;
    return existsSync("/usr/sbin/sshd") ? "/usr/sbin/sshd" : undefined;
}

/** A new key pair at `file` and `file`.pub (ed25519: made in milliseconds); returns the public key's "type base64". */
export function generateKey(file: string): string {
    const result = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", file], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`ssh-keygen failed: ${result.stderr}`);
    return readFileSync(`${file}.pub`, "utf8").split(" ").slice(0, 2).join(" ");
}

const portOpen = (port: number) =>
    new Promise<boolean>((resolve) => {
        const socket = connect(port, "127.0.0.1");
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => resolve(false));
    });

export class TestSshServer {
    private constructor(
        /** The server's directory: config, keys, log. */
        readonly dir: string,
        readonly port: number,
        /** The private key that may log in. */
        readonly clientKey: string,
        /** The known_hosts line for this server's real host key. */
        readonly knownHosts: string,
        private readonly process: ChildProcess,
    ) {}

    /** The user that logs in: the one running the tests (root in CI). */
    readonly user = userInfo().username;

    static async start(sshd: string): Promise<TestSshServer> {
        const dir = mkdtempSync(join(tmpdir(), "matomo-sshd-"));
        const hostKey = generateKey(join(dir, "host_key"));
        // The session's HOME is an empty directory (SetEnv, so that every authorized_keys line stays
        // as a test writes it): the shell sshd runs the command in then reads no start-up file of
        // the user running the tests (a ~/.bashrc that starts pyenv costs a quarter of a second per
        // connection, and is no part of what the tests prove).
        mkdirSync(join(dir, "home"));
        writeFileSync(join(dir, "authorized_keys"), `${generateKey(join(dir, "client_key"))}\n`);
        const port = await freePort();
        writeFileSync(
            join(dir, "sshd_config"),
            [
                `ListenAddress 127.0.0.1:${port}`,
                `HostKey ${dir}/host_key`,
                `PidFile ${dir}/sshd.pid`,
                `AuthorizedKeysFile ${dir}/authorized_keys`,
                "UsePAM no",
                "StrictModes no",
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                `SetEnv HOME=${dir}/home`,
                // The quickest key exchange both ends have: each run of the script opens a few connections.
                "KexAlgorithms curve25519-sha256",
                "",
            ].join("\n"),
        );
        // As root, sshd drops privileges into this (empty) directory for each connection.
        if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
        const log = openSync(join(dir, "sshd.log"), "w");
        // In a process group of its own, so that stop() ends it with everything it started.
        const child = spawn(sshd, ["-D", "-e", "-f", join(dir, "sshd_config")], { detached: true, stdio: ["ignore", log, log] });
        closeSync(log);
        const server = new TestSshServer(dir, port, join(dir, "client_key"), `[127.0.0.1]:${port} ${hostKey}\n`, child);
        for (let attempt = 0; attempt < 100 && child.exitCode === null; attempt++) {
            if (await portOpen(port)) return server;
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const text = readFileSync(join(dir, "sshd.log"), "utf8");
        await server.stop();
        throw new Error(`sshd did not start:\n${text}`);
    }

    /**
     * A new client key that may log in with these authorized_keys options before it (e.g.
     * `command="rrsync -ro /logs",restrict`); returns its private key's path. sshd reads
     * authorized_keys at every login, so the key works at once.
     */
    authorize(options: string): string {
        const file = join(this.dir, `client_key_${readFileSync(join(this.dir, "authorized_keys"), "utf8").split("\n").length}`);
        appendFileSync(join(this.dir, "authorized_keys"), `${options} ${generateKey(file)}\n`);
        return file;
    }

    /** Ends the server and its connections' processes, waiting until none is left. */
    async stop(): Promise<void> {
        if (this.process.pid && this.process.exitCode === null && this.process.signalCode === null) {
            const exited = new Promise((resolve) => this.process.once("exit", resolve));
            process.kill(-this.process.pid, "SIGTERM");
            await exited;
        }
        // A connection's sshd runs in a session of its own and ends when its client has gone.
        const sshdLeft = () => leftoverProcesses().filter((p) => /\bsshd\b/.test(p.command));
        for (let attempt = 0; attempt < 40 && sshdLeft().length > 0; attempt++) {
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        for (const p of sshdLeft()) process.kill(p.pid, "SIGKILL");
        rmSync(this.dir, { recursive: true, force: true });
    }
}
