/**
 * The rules of the Matomo policy pack, in one list with their level: what `index.ts` hands to the
 * PolicyPack, and what the tests and `npm run policy` run over a stack of the program. Each rule's module says what the
 * project promises and what the rule prevents.
 */
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import { noCredentialsInArgs } from "./rules/argCredentials";
import { cloudSqlProtected } from "./rules/cloudSql";
import { noCredentialsInConfigMaps } from "./rules/configMapCredentials";
import { containerResources, imagePinned, readOnlyRootFilesystem, serviceAccountTokenOff } from "./rules/containers";
import { noCredentialsInEnvLiterals } from "./rules/envCredentials";
import { namespaceEnforcesRestricted } from "./rules/namespace";
import { networkPoliciesPresent } from "./rules/networkPolicies";
import { noAllowAllNetworkPolicies } from "./rules/openNetworkPolicies";
import { podSecurityRestricted } from "./rules/podSecurity";
import { noExposedServices } from "./rules/services";
import { claimsRetained } from "./rules/storage";

/** Every rule's level, unless the pack's configuration says otherwise: a violation stops the update. */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";

export const POLICIES: Policies = [
    podSecurityRestricted,
    readOnlyRootFilesystem,
    namespaceEnforcesRestricted,
    containerResources,
    imagePinned,
    serviceAccountTokenOff,
    noCredentialsInEnvLiterals,
    noCredentialsInArgs,
    noCredentialsInConfigMaps,
    claimsRetained,
    noExposedServices,
    cloudSqlProtected,
    networkPoliciesPresent,
    noAllowAllNetworkPolicies,
];
