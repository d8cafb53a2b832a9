/**
 * The credentials every installation has, whatever its database: the password of the database user
 * Matomo connects as, the Matomo superuser's password and Matomo's salt. A value the stack config
 * supplies (`pulumi config set --secret ...`) is used as it is; every other one is generated once
 * with `@pulumi/random` and kept in the stack's state. A database's own administrative credentials
 * belong to its component (MariaDB's root password, for one).
 *
 * All of them are secret outputs. Generated values use letters and digits only, so they can be
 * written into `config.ini.php` and shell environments without quoting rules.
 */
import * as pulumi from "@pulumi/pulumi";
import type { SecretValue } from "../config";
import { generatedPassword } from "../k8s/secrets";

export interface CredentialsArgs {
    /** Password of the database user Matomo connects as. Generated when undefined. */
    readonly databasePassword?: SecretValue;
    /** Password of the Matomo superuser. Generated when undefined. */
    readonly superuserPassword?: SecretValue;
    /** Matomo's `[General] salt`. Generated when undefined. */
    readonly salt?: SecretValue;
}

export class Credentials extends pulumi.ComponentResource {
    readonly databasePassword: pulumi.Output<string>;
    readonly superuserPassword: pulumi.Output<string>;
    readonly salt: pulumi.Output<string>;

    constructor(name: string, args: CredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:Credentials", name, {}, opts);

        const provided = (value: SecretValue | undefined, suffix: string, length: number, options: pulumi.CustomResourceOptions = {}) =>
            value !== undefined ? pulumi.secret(value.reveal()) : generatedPassword(`${name}-${suffix}`, length, { parent: this, ...options });

        this.databasePassword = provided(args.databasePassword, "database-password", 32);
        this.superuserPassword = provided(args.superuserPassword, "superuser-password", 24);
        // The salt hashes every API token and session and feeds visitor fingerprints: it must never
        // change once created. Ignoring changes to its generation settings keeps an edit of this
        // code from replacing it; the URN is pinned by the golden-URN test.
        this.salt = provided(args.salt, "salt", 40, {
            ignoreChanges: ["length", "special", "upper", "lower", "numeric", "minLower", "minUpper", "minNumeric"],
        });

        this.registerOutputs({});
    }
}
