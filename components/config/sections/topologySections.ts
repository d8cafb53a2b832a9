/**
 * Each topology configures its database in a section of its own; a section of another topology
 * would be configuration without effect, and is reported.
 */
import { rawValue, report, type ResolveContext } from "./context";
import type { Topology } from "./general";

/** The section each topology's database is configured in, and what it configures. */
const DATABASE_SECTIONS: Readonly<Record<Topology, { readonly key: string; readonly what: string }>> = {
    eea: { key: "mariadb", what: "the in-cluster MariaDB" },
    google: { key: "cloudsql", what: "Cloud SQL" },
    external: { key: "external", what: "a database server run elsewhere" },
};

/** Reports every database section that belongs to another topology than `topology`. */
export function otherTopologyIssues(topology: Topology, ctx: ResolveContext): void {
    for (const [other, section] of Object.entries(DATABASE_SECTIONS) as [Topology, (typeof DATABASE_SECTIONS)[Topology]][]) {
        if (other === topology || rawValue(ctx, section.key) === undefined) continue;
        report(
            ctx,
            section.key,
            `configures ${section.what}, which topology "${topology}" does not use; remove it (topology ${topology} is configured in ` +
                `matomo:${DATABASE_SECTIONS[topology].key}), or set matomo:topology to "${other}"`,
        );
    }
}
