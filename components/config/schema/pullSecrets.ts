/**
 * Image pull secrets as the config names them: Secrets of type `kubernetes.io/dockerconfigjson`
 * that already exist in the stack's namespace (the program never creates one: registry
 * credentials belong to whoever runs the registry, and rotate on their own schedule).
 */
import { element, INVALID, report, string, type Field } from "./fields";
import { list } from "./structures";

/** A Kubernetes DNS-1123 subdomain as the API server checks object names (its labels are not limited to 63 characters). */
const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why the API server would refuse `value` as a Secret's name; undefined when it accepts it. */
export function checkSecretName(value: string): string | undefined {
    if (value.length <= 253 && SECRET_NAME.test(value)) return undefined;
    return (
        "expected the name of a Secret: a DNS subdomain of at most 253 characters, lower-case letters, digits, '-' and '.', " +
        "starting and ending with a letter or digit, as Kubernetes requires of every Secret name"
    );
}

/** The index of the first entry that repeats an earlier one, with that earlier index; undefined when all differ. */
export function firstRepeat(names: readonly string[]): { readonly index: number; readonly first: number } | undefined {
    for (let index = 0; index < names.length; index++) {
        const first = names.indexOf(names[index]);
        if (first < index) return { index, first };
    }
    return undefined;
}

/**
 * A list of pull secret names: each a valid Secret name, none twice (a repeated entry is a slip,
 * most often of a name meant to be another).
 */
export function pullSecretNames(doc: string): Field<readonly string[]> {
    const names = list(
        string({ doc: "Name of an existing Secret of type `kubernetes.io/dockerconfigjson`.", required: true, check: checkSecretName }),
        { doc, default: [] },
    );
    return {
        ...names,
        parse(raw, ctx) {
            const parsed = names.parse(raw, ctx);
            if (parsed === INVALID) return parsed;
            const repeat = firstRepeat(parsed);
            if (repeat === undefined) return parsed;
            report(
                element(ctx, repeat.index),
                `got "${parsed[repeat.index]}", which is listed already at [${repeat.first}]; list each Secret once`,
            );
            return ctx.lenient ? parsed : INVALID;
        },
    };
}
