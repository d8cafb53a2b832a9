/**
 * The volume every Matomo pod's prepare-webroot reads its configuration from: config.ini.php, and
 * the passwords kept in Secrets of their own beside it, projected into one directory.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { DATABASE_PASSWORD_FILE, SMTP_PASSWORD_FILE } from "./paths";

/** Key of the SMTP password in its Secret (and in a Secret named in `postfix.existingSecret`). */
export const SMTP_PASSWORD_KEY = "password";

/** The Secrets the volume projects (the fields of the pods' `MatomoRuntimeRef` of the same names). */
export interface ConfigSecrets {
    readonly configSecretName: pulumi.Input<string>;
    readonly smtpPasswordSecretName?: pulumi.Input<string>;
    readonly databasePasswordSecret?: { readonly name: pulumi.Input<string>; readonly key: string };
}

/** config.ini.php, and the SMTP and database passwords beside it when they are in Secrets of their own (read by prepare-webroot). */
export function configVolume(runtime: ConfigSecrets): k8s.types.input.core.v1.Volume {
    const file = (name: pulumi.Input<string>, key: string, path: string) => ({ secret: { name, items: [{ key, path }] } });
    const [smtp, db] = [runtime.smtpPasswordSecretName, runtime.databasePasswordSecret];
    const sources = [
        file(runtime.configSecretName, "config.ini.php", "config.ini.php"),
        ...(smtp ? [file(smtp, SMTP_PASSWORD_KEY, SMTP_PASSWORD_FILE)] : []),
        ...(db ? [file(db.name, db.key, DATABASE_PASSWORD_FILE)] : []),
    ];
    return { name: "config", projected: { sources, defaultMode: 0o440 } };
}
