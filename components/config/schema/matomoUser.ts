/**
 * Matomo's own rules for the users the program creates (the superuser, the log importer's user),
 * so that what Matomo would refuse half-way through the install Job is refused before it:
 *
 * - a login (plugins/UsersManager/Validators/Login.php, as Piwik::checkValidLoginString): 2 to
 *   100 bytes (`strlen`) matching `/^[A-Za-zÄäÖöÜüß0-9_.@+-]*$/D`, a byte-wise pattern whose
 *   multi-byte letters are those seven; and unique among logins and e-mail addresses, where the
 *   installer has already created the anonymous user (core/Db/Schema/Mysql.php
 *   createAnonymousUser: login `anonymous`, e-mail `anonymous@example.org`), and the database
 *   compares them without case or accents (core/Piwik.php also takes any case of `anonymous`
 *   for the anonymous user);
 * - a password (plugins/UsersManager/UsersManager.php checkPassword and
 *   checkBasicPasswordStrength): at least 6 bytes, at most 200 characters (PASSWORD_MAX_LENGTH,
 *   `mb_strlen`), and at least two different bytes.
 */

/** The anonymous user every installation has: its login and its e-mail address. */
const ANONYMOUS = ["anonymous", "anonymous@example.org"];

/** Matomo's login pattern, byte-wise on UTF-8 as PHP's non-`u` pattern is: its letters beyond ASCII are these. */
const LOGIN = /^[A-Za-z0-9_.@+\-ÄäÖöÜüß]*$/;

/** Matomo's limits: login bytes, password characters. */
const LOGIN_BYTES = { min: 2, max: 100 };
const PASSWORD_MAX_CHARACTERS = 200;

/**
 * A login as the database compares it (utf8mb4's default collations ignore case and accents; ß
 * is `s` or `ss` depending on the collation): the forms it may be equal to.
 */
export function loginForms(login: string): string[] {
    const folded = login.toLowerCase().replace(/ä/g, "a").replace(/ö/g, "o").replace(/ü/g, "u");
    return [...new Set([folded.replace(/ß/g, "s"), folded.replace(/ß/g, "ss")])];
}

/** Whether two logins (or a login and an address) are the same user to the database. */
export function sameLogin(a: string, b: string): boolean {
    const forms = loginForms(b);
    return loginForms(a).some((form) => forms.includes(form));
}

/** A login Matomo accepts for a new user. */
export function checkMatomoLogin(value: string): string | undefined {
    const bytes = Buffer.byteLength(value, "utf8");
    if (!LOGIN.test(value) || bytes < LOGIN_BYTES.min || bytes > LOGIN_BYTES.max) {
        return (
            `expected ${LOGIN_BYTES.min} to ${LOGIN_BYTES.max} bytes of letters (A-Z, a-z, Ä ä Ö ö Ü ü ß, which take two), digits ` +
            "or the characters _ . @ + - (Matomo's rule for logins)"
        );
    }
    if (sameLogin(value, ANONYMOUS[0])) {
        return "that is the login of Matomo's anonymous user, which every installation has (logins are compared without case or accents); choose another";
    }
    if (sameLogin(value, ANONYMOUS[1])) {
        return "that is the e-mail address of Matomo's anonymous user, which Matomo refuses as another user's login; choose another";
    }
    return undefined;
}

/** An e-mail address a new user may have: not the anonymous user's, and one its `email VARCHAR(100)` column holds. */
export function checkNewUserEmail(value: string): string | undefined {
    if (sameLogin(value, ANONYMOUS[1])) {
        return "that is the e-mail address of Matomo's anonymous user, and Matomo refuses an address another user has; use another";
    }
    const characters = [...value].length;
    return characters > 100 ? `Matomo keeps at most 100 characters of a user's e-mail address, and this one has ${characters}` : undefined;
}

/** A password Matomo accepts for a user (the program's own rules, such as a longer minimum, come on top). */
export function checkMatomoPassword(value: string): string | undefined {
    const characters = [...value].length;
    if (characters > PASSWORD_MAX_CHARACTERS) {
        return `Matomo accepts at most ${PASSWORD_MAX_CHARACTERS} characters, and this one has ${characters}`;
    }
    if (new Set(Buffer.from(value, "utf8")).size < 2) {
        return "Matomo refuses a password made of one repeated character as too weak";
    }
    if (Buffer.byteLength(value, "utf8") < 6) return "Matomo wants at least 6 characters";
    return undefined;
}
