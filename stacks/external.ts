/**
 * The external topology: a MySQL 8 or MariaDB server run elsewhere (Amazon RDS, Azure Database for
 * MySQL, an on-premises server), Matomo on top. No database workload: the pods connect to the
 * server directly; the scheduled logical backup of topology eea can be switched on.
 */
import type { ExternalConfig } from "../components/config";
import { ExternalDatabase } from "../components/database/external";
import { Credentials } from "../components/secrets/credentials";
import { databaseBackups } from "./backups";
import { secretOf, type StackContext, type StackOutputs } from "./context";
import { deployMatomo } from "./matomo";

export function deployExternal(ctx: StackContext<ExternalConfig>): StackOutputs {
    const { cfg } = ctx;
    const x = cfg.external;
    const credentials = new Credentials("credentials", {
        superuserPassword: secretOf(cfg.matomo.password),
        salt: secretOf(cfg.matomo.salt),
    });
    const database = new ExternalDatabase("external-database", {
        namespace: ctx.namespace,
        instance: ctx.instance,
        host: x.host,
        port: x.port,
        database: x.database,
        user: x.user,
        password: "value" in x.password ? { value: secretOf(x.password.value) } : x.password,
        collation: x.collation,
        tls: x.tls,
    });
    return deployMatomo(ctx, database.endpoint, credentials, databaseBackups(ctx, database.endpoint, x.backup));
}
