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
 * swaps of neighbouring letters (the usual typos) each count one. It keeps only the last three
 * rows of the table: a suggestion for a MariaDB option compares the typo with 700 names.
 */
export function distance(a: string, b: string): number {
    const s = a.toLowerCase();
    const t = b.toLowerCase();
    let twoBack = new Array<number>(t.length + 1).fill(0);
    let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
    let row = new Array<number>(t.length + 1).fill(0);
    for (let i = 1; i <= s.length; i++) {
        row[0] = i;
        for (let j = 1; j <= t.length; j++) {
            const cost = s[i - 1] === t[j - 1] ? 0 : 1;
            row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost);
            if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) row[j] = Math.min(row[j], twoBack[j - 2] + 1);
        }
        [twoBack, previous, row] = [previous, row, twoBack];
    }
    return previous[t.length];
}

/** The `count` candidates nearest to `input`, nearest first (for a list of suggestions). */
export function closestMatches(input: string, candidates: readonly string[], count: number): string[] {
    return candidates
        .map((candidate) => ({ candidate, d: distance(input, candidate) }))
        .sort((a, b) => a.d - b.d)
        .slice(0, count)
        .map((c) => c.candidate);
}

/** The farthest a suggestion may be from the typo (for a candidate of 12 letters or more). */
const MOST_EDITS = 3;

/** The candidate a typo most likely meant, if one is close enough to suggest. */
export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    // Only a candidate within MOST_EDITS can be suggested, so a farther one is never looked at.
    let bestDistance = MOST_EDITS + 1;
    for (const candidate of candidates) {
        // The distance is at least the difference in length: such a candidate cannot be nearer.
        if (Math.abs(candidate.length - input.length) >= bestDistance) continue;
        const d = distance(input, candidate);
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    const allowed = Math.max(1, Math.min(MOST_EDITS, Math.floor((best?.length ?? 0) / 4)));
    return bestDistance <= allowed ? best : undefined;
}
