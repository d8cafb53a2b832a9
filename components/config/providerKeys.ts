/**
 * The keys of the providers' config namespaces (`kubernetes:`, `gcp:`) that the program's default
 * providers read. A key the provider does not know is ignored by it without a word, so a typo
 * (`kubernetes:contxt`) would deploy to the current kubeconfig context: such keys are refused.
 *
 * The lists are the installed SDKs' (test/provider-keys.test.ts compares them with the files):
 * `ProviderArgs` of @pulumi/kubernetes 4.34 (provider.d.ts; the SDK has no config module), plus
 * `strictMode`, which the provider's binary reads (its configuration reference), and the exported
 * variables of @pulumi/gcp 9.37's config/vars.d.ts.
 */
import type { Issue } from "./schema/fields";
import type { ConfigSource } from "./schema/parse";
import { closestMatch, closestMatches } from "./schema/text";

export const KUBERNETES_CONFIG_KEYS: readonly string[] = `
    alwaysRender cluster clusterIdentifier context deleteUnreachable enableConfigMapMutable enablePatchForce enableSecretMutable
    enableServerSideApply helmReleaseSettings kubeClientSettings kubeconfig namespace renderYamlToDirectory skipUpdateUnreachable
    strictMode suppressDeprecationWarnings suppressHelmHookWarnings upsertExistingObjects
`
    .trim()
    .split(/\s+/);

export const GCP_CONFIG_KEYS: readonly string[] = `
    accessApprovalCustomEndpoint accessContextManagerCustomEndpoint accessToken activeDirectoryCustomEndpoint
    addPulumiAttributionLabel agentIdentityCustomEndpoint agentRegistryCustomEndpoint agenticApplicationsCustomEndpoint
    alloydbCustomEndpoint apiGatewayCustomEndpoint apigeeCustomEndpoint apihubCustomEndpoint apikeysCustomEndpoint
    appEngineCustomEndpoint apphubCustomEndpoint artifactRegistryCustomEndpoint assuredWorkloadsCustomEndpoint
    backupDrCustomEndpoint batching beyondcorpCustomEndpoint bigQueryCustomEndpoint biglakeCustomEndpoint
    biglakeHiveCustomEndpoint biglakeIcebergCustomEndpoint bigqueryAnalyticsHubCustomEndpoint bigqueryConnectionCustomEndpoint
    bigqueryDataTransferCustomEndpoint bigqueryDatapolicyCustomEndpoint bigqueryDatapolicyv2CustomEndpoint
    bigqueryReservationCustomEndpoint bigtableCustomEndpoint billingBudgetsCustomEndpoint billingCustomEndpoint billingProject
    binaryAuthorizationCustomEndpoint blockchainNodeEngineCustomEndpoint certificateManagerCustomEndpoint cesCustomEndpoint
    chronicleCustomEndpoint cloudAssetCustomEndpoint cloudBillingCustomEndpoint cloudBuildCustomEndpoint
    cloudFunctionsCustomEndpoint cloudIdentityCustomEndpoint cloudIdsCustomEndpoint cloudQuotasCustomEndpoint
    cloudResourceManagerCustomEndpoint cloudRunCustomEndpoint cloudRunV2CustomEndpoint cloudSchedulerCustomEndpoint
    cloudSecurityComplianceCustomEndpoint cloudSupportCustomEndpoint cloudTasksCustomEndpoint cloudbuildv2CustomEndpoint
    clouddeployCustomEndpoint clouddomainsCustomEndpoint cloudfunctions2CustomEndpoint colabCustomEndpoint composerCustomEndpoint
    computeCustomEndpoint configCustomEndpoint contactCenterInsightsCustomEndpoint containerAnalysisCustomEndpoint
    containerAttachedCustomEndpoint containerAwsCustomEndpoint containerAzureCustomEndpoint containerCustomEndpoint
    coreBillingCustomEndpoint credentials dataCatalogCustomEndpoint dataFusionCustomEndpoint dataLineageCustomEndpoint
    dataLossPreventionCustomEndpoint dataPipelineCustomEndpoint databaseMigrationServiceCustomEndpoint dataflowCustomEndpoint
    dataformCustomEndpoint dataplexCustomEndpoint dataprocCustomEndpoint dataprocGdcCustomEndpoint dataprocMetastoreCustomEndpoint
    datastreamCustomEndpoint defaultLabels deletionPolicy deploymentManagerCustomEndpoint developerConnectCustomEndpoint
    dialogflowCustomEndpoint dialogflowCxCustomEndpoint disableGlobalProjectWarning disableGooglePartnerName
    discoveryEngineCustomEndpoint dnsCustomEndpoint documentAiCustomEndpoint documentAiWarehouseCustomEndpoint
    edgecontainerCustomEndpoint edgenetworkCustomEndpoint essentialContactsCustomEndpoint eventarcCustomEndpoint
    externalCredentials filestoreCustomEndpoint firebaseAiLogicCustomEndpoint firebaseAppCheckCustomEndpoint
    firebaseAppHostingCustomEndpoint firebaseCustomEndpoint firebaseDataConnectCustomEndpoint firebaseDatabaseCustomEndpoint
    firebaseExtensionsCustomEndpoint firebaseHostingCustomEndpoint firebaseRemoteConfigCustomEndpoint
    firebaseStorageCustomEndpoint firebaserulesCustomEndpoint firestoreCustomEndpoint geminiCustomEndpoint gkeBackupCustomEndpoint
    gkeHub2CustomEndpoint gkeHubCustomEndpoint gkeonpremCustomEndpoint googlePartnerName healthcareCustomEndpoint
    hypercomputeclusterCustomEndpoint iam2CustomEndpoint iam3CustomEndpoint iamBetaCustomEndpoint iamCredentialsCustomEndpoint
    iamCustomEndpoint iamWorkforcePoolCustomEndpoint iapCustomEndpoint identityPlatformCustomEndpoint impersonateServiceAccount
    impersonateServiceAccountDelegates integrationConnectorsCustomEndpoint integrationsCustomEndpoint kmsCustomEndpoint
    licenseManagerCustomEndpoint loggingCustomEndpoint lookerCustomEndpoint lustreCustomEndpoint managedKafkaCustomEndpoint
    memcacheCustomEndpoint memorystoreCustomEndpoint migrationCenterCustomEndpoint mlEngineCustomEndpoint modelArmorCustomEndpoint
    modelArmorGlobalCustomEndpoint monitoringCustomEndpoint netappCustomEndpoint networkConnectivityCustomEndpoint
    networkConnectivityv1CustomEndpoint networkManagementCustomEndpoint networkSecurityCustomEndpoint
    networkServicesCustomEndpoint notebooksCustomEndpoint observabilityCustomEndpoint oracleDatabaseCustomEndpoint
    orgPolicyCustomEndpoint osConfigCustomEndpoint osConfigV2CustomEndpoint osLoginCustomEndpoint parallelstoreCustomEndpoint
    parameterManagerCustomEndpoint parameterManagerRegionalCustomEndpoint pollInterval preferGlobalEndpoints
    preferRegionalEndpoints privatecaCustomEndpoint privilegedAccessManagerCustomEndpoint project publicCaCustomEndpoint
    pubsubCustomEndpoint pubsubLiteCustomEndpoint pulumiAttributionLabelAdditionStrategy recaptchaEnterpriseCustomEndpoint
    redisCustomEndpoint region requestReason requestTimeout resourceManager3CustomEndpoint resourceManagerCustomEndpoint
    resourceManagerV3CustomEndpoint runtimeConfigCustomEndpoint runtimeconfigCustomEndpoint saasRuntimeCustomEndpoint scopes
    secretManagerCustomEndpoint secretManagerRegionalCustomEndpoint secureSourceManagerCustomEndpoint securityCenterCustomEndpoint
    securityCenterManagementCustomEndpoint securityCenterV2CustomEndpoint securityScannerCustomEndpoint
    securitypostureCustomEndpoint serviceDirectoryCustomEndpoint serviceManagementCustomEndpoint serviceNetworkingCustomEndpoint
    serviceUsageCustomEndpoint siteVerificationCustomEndpoint skipRegionValidation sourceRepoCustomEndpoint spannerCustomEndpoint
    sqlCustomEndpoint storageBatchOperationsCustomEndpoint storageControlCustomEndpoint storageCustomEndpoint
    storageInsightsCustomEndpoint storageTransferCustomEndpoint tagsCustomEndpoint tagsLocationCustomEndpoint tpuV2CustomEndpoint
    transcoderCustomEndpoint universeDomain userProjectOverride vectorSearchCustomEndpoint vertexAiAadCustomEndpoint
    vertexAiCustomEndpoint vmwareengineCustomEndpoint vpcAccessCustomEndpoint workbenchCustomEndpoint workflowsCustomEndpoint
    workloadIdentityCustomEndpoint workstationsCustomEndpoint zone
`
    .trim()
    .split(/\s+/);

/** Keys the kubernetes provider knows but that have no effect for this program, and why. */
const KUBERNETES_WITHOUT_EFFECT: Readonly<Record<string, string>> = {
    namespace: "every object this program creates names its own namespace, matomo:namespace, which is where to set it",
    enableReplaceCRD: "the provider ignores it (obsolete)",
};

/**
 * Unknown keys of the providers' namespaces, keys without effect here, and settings that would stop
 * the program: `gcp:` keys with topology eea (which loads no Google provider), and
 * `kubernetes:strictMode`, which disables the default provider every object of this program uses.
 */
export function providerKeyIssues(source: ConfigSource): Issue[] {
    const issues: Issue[] = [];
    const topology = source.get("matomo:topology") ?? "eea";
    for (const key of source.keys()) {
        const [namespace, name] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
        if (namespace !== "kubernetes" && namespace !== "gcp") continue;
        const known = namespace === "kubernetes" ? KUBERNETES_CONFIG_KEYS : GCP_CONFIG_KEYS;
        if (!known.includes(name)) {
            const hint = closestMatch(name, known);
            const offer =
                namespace === "kubernetes"
                    ? `its keys are ${known.join(", ")}`
                    : `the closest of its keys are ${closestMatches(name, known, 3).join(", ")}`;
            const pinsCluster = ["context", "kubeconfig", "cluster"].includes(hint ?? "");
            issues.push({
                key,
                message:
                    `is not a setting of the ${namespace} provider, which ignores it without a word` +
                    (pinsCluster ? ", so the program would deploy to the current kubeconfig context" : "") +
                    (hint ? `; did you mean "${namespace}:${hint}"?` : "") +
                    ` (${offer})`,
            });
        } else if (namespace === "kubernetes" && name in KUBERNETES_WITHOUT_EFFECT) {
            issues.push({ key, message: `has no effect: ${KUBERNETES_WITHOUT_EFFECT[name]}; remove it` });
        } else if (namespace === "kubernetes" && name === "strictMode" && source.get(key) === "true") {
            issues.push({
                key,
                message:
                    "is true, which disables the default kubernetes provider that every object of this program is created with, so " +
                    "nothing would deploy; remove it, and pin the cluster with kubernetes:context (and kubernetes:kubeconfig)",
            });
        } else if (namespace === "gcp" && topology === "eea") {
            issues.push({
                key,
                message: 'has no effect: topology "eea" creates nothing on Google Cloud; remove it, or set matomo:topology to "google"',
            });
        }
    }
    return issues;
}
