/**
 * `claims-retained`: deleting a resource in Pulumi never deletes the data on a volume.
 *
 * The claims hold Matomo's uploaded files, the database backups and the imported logs. A
 * PersistentVolumeClaim deleted by `pulumi destroy`, by a renamed resource, or by a replacement
 * (a changed storage class replaces the claim) takes its volume with it under the usual `Delete`
 * reclaim policy: the backups would go with the database they back up. So every claim Pulumi
 * manages needs the `retainOnDelete` (or `protect`) resource option, and a StatefulSet must not
 * delete the claims of its volumeClaimTemplates (`persistentVolumeClaimRetentionPolicy`).
 *
 * What the policy can see: `@pulumi/policy` 1.21's resource options carry `protect` but not
 * `retainOnDelete` (the engine's analyzer protocol does not send it). The rule therefore accepts a
 * claim that is protected, or whose options report `retainOnDelete: true`, and refuses one whose
 * options report `retainOnDelete: false` without protect. When the options say nothing about
 * `retainOnDelete` (every real `pulumi preview` today) and the claim is not protected, the rule
 * cannot tell and reports nothing. The tests, whose adapter passes the program's real options,
 * check the option fully.
 */
import type { PolicyResourceOptions, ResourceValidationPolicy } from "@pulumi/policy";
import { known, record, shown, validateTypes, violation } from "./common";

/** Resource options as a policy may see them: `retainOnDelete` when the engine reports it. */
export type ClaimOptions = Pick<PolicyResourceOptions, "protect"> & { readonly retainOnDelete?: boolean };

/** Problems with the options of a PersistentVolumeClaim. */
export function claimViolations(opts: ClaimOptions): string[] {
    if (opts.protect || opts.retainOnDelete !== false) return [];
    const fix = "give the resource the retainOnDelete (or protect) option, so deleting it in Pulumi keeps the volume and its data";
    return [violation("the resource option retainOnDelete", "false (and protect is false)", fix)];
}

/** Problems with a StatefulSet's claim retention. */
export function statefulSetViolations(props: Readonly<Record<string, unknown>>): string[] {
    const policy = known(() => record(record(props.spec).persistentVolumeClaimRetentionPolicy), {});
    return ["whenDeleted", "whenScaled"].flatMap((key) => {
        const value = known(() => policy[key], undefined);
        if (value !== "Delete") return [];
        return [
            violation(
                `spec.persistentVolumeClaimRetentionPolicy.${key}`,
                shown(value),
                "set it to Retain (the default), so the claims outlive their pods",
            ),
        ];
    });
}

export const claimsRetained: ResourceValidationPolicy = {
    name: "claims-retained",
    description:
        "A PersistentVolumeClaim has the retainOnDelete or protect option; a StatefulSet does not delete its claims (persistentVolumeClaimRetentionPolicy).",
    severity: "high",
    validateResource: validateTypes(
        new Set(["kubernetes:core/v1:PersistentVolumeClaim", "kubernetes:apps/v1:StatefulSet"]),
        (type, props, args) =>
            type === "kubernetes:apps/v1:StatefulSet" ? statefulSetViolations(props) : claimViolations(args.opts as ClaimOptions),
    ),
};
