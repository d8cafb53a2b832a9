import { inspect } from "node:util";

/**
 * A credential read from stack config. It prints as `[secret]` wherever it ends up (logs, error
 * messages, JSON), so the typed config can be passed around and dumped without leaking; the one
 * way to get the text is {@link SecretValue.reveal}, used where it becomes a Pulumi secret output.
 */
export class SecretValue {
    readonly #value: string;

    constructor(value: string) {
        this.#value = value;
    }

    reveal(): string {
        return this.#value;
    }

    toString(): string {
        return "[secret]";
    }

    toJSON(): string {
        return "[secret]";
    }

    [inspect.custom](): string {
        return "[secret]";
    }
}
