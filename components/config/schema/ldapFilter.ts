/**
 * LDAP search filters as RFC 4515 defines them, checked before LoginLdap sends one to the
 * directory, which would answer a malformed filter with an error at every login. LoginLdap puts the
 * configured filter inside `(&...)` next to its own conditions, so the value is one or more
 * parenthesised filters, and it binds its parameters to each unescaped `?`.
 */

/** Thrown by the parser with the reason and where it was found. */
class FilterError extends Error {
    constructor(
        readonly position: number,
        reason: string,
    ) {
        super(reason);
    }
}

const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)(?:;[A-Za-z0-9-]+)*/;
const MATCHING_RULE = /^(?::dn)?(?::(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+))?:=/;

class Parser {
    private at = 0;

    constructor(private readonly text: string) {}

    /** filter-list: one or more filters, then the end of the text. */
    list(): void {
        do this.filter();
        while (this.at < this.text.length && this.text[this.at] === "(");
        if (this.at < this.text.length) this.fail(`unexpected ${JSON.stringify(this.text[this.at])} after a complete filter`);
    }

    private fail(reason: string): never {
        throw new FilterError(this.at + 1, reason);
    }

    private expect(char: string): void {
        if (this.text[this.at] !== char) this.fail(`expected "${char}"`);
        this.at++;
    }

    /** filter = "(" filtercomp ")" */
    private filter(): void {
        this.expect("(");
        const op = this.text[this.at];
        if (op === "&" || op === "|") {
            this.at++;
            // RFC 4515 allows an empty list (absolute true/false), which directories treat inconsistently.
            if (this.text[this.at] !== "(") this.fail(`"${op}" must be followed by one or more filters`);
            while (this.text[this.at] === "(") this.filter();
        } else if (op === "!") {
            this.at++;
            this.filter();
        } else {
            this.item();
        }
        this.expect(")");
    }

    /** item: attr ("=" | "~=" | ">=" | "<=") value, presence and substrings, or an extensible match. */
    private item(): void {
        const rest = this.text.slice(this.at);
        const attribute = ATTRIBUTE.exec(rest)?.[0] ?? "";
        const afterAttribute = rest.slice(attribute.length);
        const rule = MATCHING_RULE.exec(afterAttribute)?.[0];
        if (rule !== undefined) {
            if (attribute === "" && !rule.includes(":", 1)) this.fail("an extensible match needs an attribute or a matching rule");
            this.at += attribute.length + rule.length;
            this.value(false);
            return;
        }
        if (attribute === "") this.fail("expected an attribute name such as objectClass");
        this.at += attribute.length;
        const op = /^(?:~=|>=|<=|=)/.exec(afterAttribute)?.[0];
        if (op === undefined) this.fail(`expected "=", "~=", ">=" or "<=" after ${attribute}`);
        this.at += op.length;
        this.value(op === "=");
    }

    /** A value up to the closing parenthesis: escapes are `\` and two hex digits; `*` only in substrings. */
    private value(substrings: boolean): void {
        const start = this.at;
        while (this.at < this.text.length && this.text[this.at] !== ")") {
            const char = this.text[this.at];
            if (char === "(") this.fail('"(" in a value must be escaped as \\28');
            if (char === "\\") {
                if (!/^[0-9A-Fa-f]{2}$/.test(this.text.slice(this.at + 1, this.at + 3)))
                    this.fail('"\\" must start an escape of two hex digits, such as \\2a');
                this.at += 3;
                continue;
            }
            if (char === "*" && !substrings) this.fail('"*" in this value must be escaped as \\2a');
            if (char === "?")
                this.fail(
                    "LoginLdap takes an unescaped ? for one of its own parameters (its escape \\3f needs a backslash, which config.ini.php cannot hold); leave it out or match it with *",
                );
            this.at++;
        }
        if (this.at === start && !substrings) this.fail("expected a value");
    }
}

/** Why an LDAP filter (one or more parenthesised filters) is not well-formed; undefined when it is. */
export function checkLdapFilter(value: string): string | undefined {
    if (value === "") return undefined;
    try {
        new Parser(value).list();
        return undefined;
    } catch (e) {
        if (!(e instanceof FilterError)) throw e;
        return `not a well-formed LDAP filter, at character ${e.position}: ${e.message} (expected one or more filters such as (objectClass=person))`;
    }
}
