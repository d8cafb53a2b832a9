/** Small text helpers for configuration messages. */

/** Shows a raw config value in a message: strings quoted, other values as JSON. */
export function describeValue(value: unknown): string {
    if (value === undefined) return "nothing";
    if (typeof value === "string") return JSON.stringify(value);
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/**
 * Edit distance between two strings, case-insensitive: insertions, deletions, substitutions and
 * swaps of neighbouring letters (the usual typos) each count one.
 */
function distance(a: string, b: string): number {
    const s = a.toLowerCase();
    const t = b.toLowerCase();
    const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array<number>(t.length).fill(0)]);
    for (let j = 1; j <= t.length; j++) d[0][j] = j;
    for (let i = 1; i <= s.length; i++) {
        for (let j = 1; j <= t.length; j++) {
            const cost = s[i - 1] === t[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[s.length][t.length];
}

/** The `count` candidates nearest to `input`, nearest first (for a list of suggestions). */
export function closestMatches(input: string, candidates: readonly string[], count: number): string[] {
    return candidates
        .map((candidate) => ({ candidate, d: distance(input, candidate) }))
        .sort((a, b) => a.d - b.d)
        .slice(0, count)
        .map((c) => c.candidate);
}

/** The candidate a typo most likely meant, if one is close enough to suggest. */
export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
        const d = distance(input, candidate);
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    const allowed = Math.max(1, Math.min(3, Math.floor((best?.length ?? 0) / 4)));
    return bestDistance <= allowed ? best : undefined;
}
