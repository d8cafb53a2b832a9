/**
 * The Matomo user the program creates for the log import (components/matomo/scripts/
 * grant-import-user.php): a user of its own, never the superuser, with the e-mail address
 * `<login>@<hostname>` (stacks/optional.ts), which the script and Matomo must accept as one.
 */
import type { Issue } from "../../schema/fields";
import { sameLogin } from "../../schema/matomoUser";
import { checkEmail } from "../../schema/validators";

/** The script refuses a longer address (Matomo's `email` column is VARCHAR(100)). */
const MAX_EMAIL = 100;

/**
 * Problems of the import user's login: with `matomo.token` the importer uses that token and no user
 * is created, so a login written then has no effect; otherwise the login beside the superuser's
 * login and e-mail address, and the address it makes at the hostname.
 */
export function importUserIssues(
    importer: { readonly login: string; readonly token?: unknown },
    superuser: { readonly username: string; readonly email: string; readonly hostname: string },
    loginWritten: boolean,
): Issue[] {
    const issue = (message: string): Issue[] => [{ key: "matomo:matomoAnalytics.login", message }];
    const { login } = importer;
    if (importer.token !== undefined) {
        return loginWritten
            ? issue("has no effect with matomo.token: the importer uses that token, and the program creates no user; remove one of them")
            : [];
    }
    if (sameLogin(login, superuser.username)) {
        return issue(
            `got "${login}", the superuser's login (matomo.username "${superuser.username}"): the importer needs a user of its own, ` +
                "with write access to the sources' sites only; choose another login",
        );
    }
    if (sameLogin(login, superuser.email)) {
        return issue(`got "${login}", the superuser's e-mail address, which Matomo refuses as another user's login; choose another`);
    }
    const email = `${login}@${superuser.hostname}`;
    const reason = email.length > MAX_EMAIL ? `is longer than ${MAX_EMAIL} characters` : checkEmail(email) && "is no e-mail address";
    if (reason) {
        return issue(
            `got "${login}", which makes the import user's e-mail address ${email} (login@matomo.hostname), which ${reason}; ` +
                "choose a login of letters, digits and _ . + - without @, and without a dot at either end or two in a row",
        );
    }
    if (sameLogin(superuser.username, email)) {
        return issue(
            `makes the import user's e-mail address ${email}, which is the superuser's login (matomo.username); choose another login`,
        );
    }
    return [];
}
