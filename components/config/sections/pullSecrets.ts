/**
 * Image pull secrets for the whole stack, and the rule that joins them with each image's own
 * (`<image>.pullSecrets`, a field of every image key): a name in both lists is one without effect.
 * Every pod lists the union of the stack-wide names and those of the images it runs
 * (components/k8s/image.ts); docs/private-registry.md says how to create the Secrets.
 */
import type { Issue } from "../schema/fields";
import type { Image } from "../schema/parts";
import { pullSecretNames } from "../schema/pullSecrets";
import { fullKey } from "./context";

export const imagePullSecretsKey = pullSecretNames(
    "Existing Secrets (type `kubernetes.io/dockerconfigjson`, in `namespace`) that every pod of the stack lists in `imagePullSecrets`, " +
        "for images in a private registry, e.g. a Matomo image built FROM matomo with plugins; the program never creates them " +
        "(docs/private-registry.md). An image's own `pullSecrets` add to them for the pods that run it.",
);

/** The parsed keys that hold an image, as far as this rule reads them. */
interface ImageKeys {
    readonly matomo: { readonly image: Image; readonly webServer: { readonly nginx: { readonly image: Image } } };
    readonly mariadb: { readonly image: Image; readonly backup: { readonly offsite: { readonly image: Image } } };
    readonly cloudsql: { readonly proxy: { readonly image: Image } };
    readonly external: { readonly backup: { readonly image: Image; readonly offsite: { readonly image: Image } } };
    readonly geoipupdate: { readonly image: Image };
    readonly rsyncAnalytics: { readonly image: Image };
    readonly matomoAnalytics: { readonly image: Image };
    readonly monitoring: {
        readonly web: { readonly apacheExporter: { readonly image: Image }; readonly fpmExporter: { readonly image: Image } };
    };
}

/** Every image key of the config, by its path: every image a pod of the program can run. */
export function imageKeys(values: ImageKeys): { readonly path: string; readonly image: Image }[] {
    return [
        { path: "matomo.image", image: values.matomo.image },
        { path: "matomo.webServer.nginx.image", image: values.matomo.webServer.nginx.image },
        { path: "mariadb.image", image: values.mariadb.image },
        { path: "mariadb.backup.offsite.image", image: values.mariadb.backup.offsite.image },
        { path: "cloudsql.proxy.image", image: values.cloudsql.proxy.image },
        { path: "external.backup.image", image: values.external.backup.image },
        { path: "external.backup.offsite.image", image: values.external.backup.offsite.image },
        { path: "geoipupdate.image", image: values.geoipupdate.image },
        { path: "rsyncAnalytics.image", image: values.rsyncAnalytics.image },
        { path: "matomoAnalytics.image", image: values.matomoAnalytics.image },
        { path: "monitoring.web.apacheExporter.image", image: values.monitoring.web.apacheExporter.image },
        { path: "monitoring.web.fpmExporter.image", image: values.monitoring.web.fpmExporter.image },
    ];
}

/** An image's pull secret that the stack-wide list has already: every pod lists it anyway. */
export function pullSecretIssues(stackWide: readonly string[], images: readonly { path: string; image: Image }[]): Issue[] {
    return images.flatMap(({ path, image }) =>
        image.pullSecrets.flatMap((name, i) =>
            stackWide.includes(name)
                ? [
                      {
                          key: fullKey(`${path}.pullSecrets[${i}]`),
                          message: `got "${name}", which matomo:imagePullSecrets lists already for every pod; remove it here`,
                      },
                  ]
                : [],
        ),
    );
}
