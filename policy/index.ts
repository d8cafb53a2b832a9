/**
 * The Matomo policy pack (CrossGuard): `pulumi preview --policy-pack policy` checks every resource
 * of a stack against the rules in policies.ts before anything is deployed. Every rule is mandatory:
 * a violation stops the update. Nothing imports this file (constructing the PolicyPack starts the
 * policy gRPC server); the tests and `npm run policy` import policies.ts.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, POLICIES } from "./policies";

new PolicyPack("matomo", { policies: POLICIES, enforcementLevel: PACK_ENFORCEMENT_LEVEL });
