/**
 * The seed's free-form `rsyncAnalytics.rsyncCommands`, read the way a POSIX shell reads them and
 * turned into structured sources. The seed ran them through `sh -c "${RSYNC_COMMANDS}"`, which
 * lost their quoting (reference eea-chart.md §2.6); here each command is parsed once, with its
 * quotes, and the program builds the command it runs from the parts. Anything beyond the seed's
 * own shape (pipes, variables, other rsync options) is refused with the reason, not guessed at.
 */

/** What one seed command says. */
export interface ParsedRsyncCommand {
    readonly siteId: number;
    readonly user: string;
    readonly host: string;
    readonly port: number;
    readonly path: string;
    readonly delete: boolean;
    /** Options that turn host-key checking off (`StrictHostKeyChecking=no`, `UserKnownHostsFile=/dev/null`). */
    readonly insecureOptions: readonly string[];
}

/** Shell words of one command line, or a reason. Separators: `;` and newlines outside quotes. */
export function shellCommands(text: string): string[][] | string {
    const commands: string[][] = [];
    let words: string[] = [];
    let word: string | undefined;
    const end = () => {
        if (word !== undefined) words.push(word);
        word = undefined;
    };
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c === "'") {
            const close = text.indexOf("'", i + 1);
            if (close < 0) return "a single quote is not closed";
            word = (word ?? "") + text.slice(i + 1, close);
            i = close;
        } else if (c === '"') {
            let j = i + 1;
            let inner = "";
            for (; j < text.length && text[j] !== '"'; j++) {
                if (text[j] === "\\" && '"\\$`'.includes(text[j + 1] ?? "")) inner += text[++j];
                else if ("$`".includes(text[j])) return `uses ${text[j]} (shell expansion), which a structured source does not need`;
                else inner += text[j];
            }
            if (j >= text.length) return "a double quote is not closed";
            word = (word ?? "") + inner;
            i = j;
        } else if (c === "\\") {
            if (i + 1 < text.length && text[i + 1] !== "\n") word = (word ?? "") + text[++i];
            else i++;
        } else if (c === ";" || c === "\n") {
            end();
            if (words.length) commands.push(words);
            words = [];
        } else if (/\s/.test(c)) {
            end();
        } else if ("|&<>$`(){}".includes(c)) {
            return `uses ${c} (a shell feature), which a structured source does not need`;
        } else {
            word = (word ?? "") + c;
        }
    }
    end();
    if (words.length) commands.push(words);
    return commands;
}

const INSECURE = /^(stricthostkeychecking=no|userknownhostsfile=\/dev\/null)$/i;

/** The `-e` ssh command: its port and the options that weaken it. */
function parseSsh(text: string): { port?: number; insecure: string[] } | string {
    const parsed = shellCommands(text);
    if (typeof parsed === "string") return `-e ${parsed}`;
    const words = parsed.flat();
    if (words[0] !== "ssh") return `-e runs ${JSON.stringify(words[0] ?? "")}, not ssh`;
    let port: number | undefined;
    const insecure: string[] = [];
    for (let i = 1; i < words.length; i++) {
        const w = words[i];
        const option = w === "-o" ? words[++i] : w.startsWith("-o") ? w.slice(2) : undefined;
        const portText = w === "-p" ? words[++i] : w.startsWith("-p") && w.length > 2 ? w.slice(2) : undefined;
        if (portText !== undefined) {
            if (!/^\d+$/.test(portText)) return `ssh -p ${JSON.stringify(portText)} is not a port`;
            port = Number(portText);
        } else if (option !== undefined) {
            const normal = option.replace(/\s+/, "=");
            if (INSECURE.test(normal)) insecure.push(normal);
            else if (/^port=\d+$/i.test(normal)) port = Number(normal.split("=")[1]);
            else return `ssh option ${JSON.stringify(option)} is not supported here; put ssh settings in matomo:rsyncAnalytics.ssh_config`;
        } else {
            return `ssh argument ${JSON.stringify(w)} is not supported here (the key is rsyncAnalytics.ssh_id_rsa, options go in ssh_config)`;
        }
    }
    return { port, insecure };
}

const RSYNC_FLAGS = /^-[avzrtplogDhP]+$/;
const RSYNC_LONG = new Set([
    "--archive",
    "--verbose",
    "--compress",
    "--recursive",
    "--times",
    "--partial",
    "--progress",
    "--human-readable",
]);
const SOURCE = /^(?:([^@:/\s]+)@)?(\[[0-9A-Fa-f:.]+\]|[^@:/\s[\]]+):(.+)$/;
const DESTINATION = /^\/analytics\/logs\/(\d+)\/?$/;

/** One seed command as a source, or why it cannot be one. */
export function parseRsyncCommand(words: readonly string[]): ParsedRsyncCommand | string {
    if (words[0] !== "rsync") return `starts with ${JSON.stringify(words[0])}, not rsync`;
    let ssh: { port?: number; insecure: string[] } = { insecure: [] };
    let remove = false;
    const positional: string[] = [];
    for (let i = 1; i < words.length; i++) {
        const w = words[i];
        if (w === "-e" || w === "--rsh" || w.startsWith("--rsh=") || (w.startsWith("-e") && w.length > 2)) {
            const value = w === "-e" || w === "--rsh" ? words[++i] : w.startsWith("--rsh=") ? w.slice(6) : w.slice(2);
            const parsed = parseSsh(value ?? "");
            if (typeof parsed === "string") return parsed;
            ssh = parsed;
        } else if (w === "--delete") {
            remove = true;
        } else if (RSYNC_FLAGS.test(w) || RSYNC_LONG.has(w)) {
            // Copy modes the program's own rsync call covers (it always preserves times and copies whole files).
        } else if (w.startsWith("-")) {
            return `rsync option ${JSON.stringify(w)} is not supported here; describe the source in matomo:rsyncAnalytics.sources`;
        } else {
            positional.push(w);
        }
    }
    if (positional.length !== 2) return `expected a source and a destination, got ${positional.length} arguments`;
    const source = SOURCE.exec(positional[0]);
    if (!source) return `source ${JSON.stringify(positional[0])} is not user@host:/path`;
    if (!source[1])
        return `source ${JSON.stringify(positional[0])} names no user (user@host:/path); the pod's own user is meaningless on the log host`;
    const destination = DESTINATION.exec(positional[1]);
    if (!destination) return `destination ${JSON.stringify(positional[1])} is not /analytics/logs/<site id>`;
    return {
        siteId: Number(destination[1]),
        user: source[1],
        host: source[2].replace(/^\[(.*)\]$/, "$1"),
        port: ssh.port ?? 22,
        path: source[3],
        delete: remove,
        insecureOptions: ssh.insecure,
    };
}
