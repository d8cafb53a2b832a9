/**
 * The credentials every installation has, whatever its database: the password of the database user
 * Matomo connects as, the Matomo superuser's password and Matomo's salt. A value the caller supplies
 * (from `pulumi config set --secret ...`) is used as it is; every other one is generated once with
 * `@pulumi/random` and kept in the stack's state. A database's own administrative credentials
 * belong to its component (MariaDB's root password, for one).
 *
 * All of them are secret outputs. Generated values use letters and digits only, so they can be
 * written into `config.ini.php` and shell environments without quoting rules.
 */
import * as pulumi from "@pulumi/pulumi";
import { generatedPassword } from "../k8s/secrets";

export interface CredentialsArgs {
    /** Password of the database user Matomo connects as. Defaults to a generated one (32 characters). */
    readonly databasePassword?: pulumi.Input<string>;
    /** Password of the Matomo superuser. Defaults to a generated one (24 characters). */
    readonly superuserPassword?: pulumi.Input<string>;
    /** Matomo's `[General] salt`. Defaults to a generated one (40 characters), never changed afterwards. */
    readonly salt?: pulumi.Input<string>;
}

export class Credentials extends pulumi.ComponentResource {
    readonly databasePassword: pulumi.Output<string>;
    readonly superuserPassword: pulumi.Output<string>;
    readonly salt: pulumi.Output<string>;

    constructor(name: string, args: CredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:Credentials", name, {}, opts);

        const given = (
            value: pulumi.Input<string> | undefined,
            suffix: string,
            length: number,
            options: pulumi.CustomResourceOptions = {},
        ) => (value !== undefined ? pulumi.secret(value) : generatedPassword(`${name}-${suffix}`, length, { parent: this, ...options }));

        this.databasePassword = given(args.databasePassword, "database-password", 32);
        this.superuserPassword = given(args.superuserPassword, "superuser-password", 24);
        // The salt hashes every API token and session and feeds visitor fingerprints: it must never
        // change once created. Ignoring changes to its generation settings keeps an edit of this
        // code from replacing it; the URN is pinned by the golden-URN test.
        this.salt = given(args.salt, "salt", 40, {
            ignoreChanges: ["length", "special", "upper", "lower", "numeric", "minLower", "minUpper", "minNumeric"],
        });

        this.registerOutputs({});
    }
}
