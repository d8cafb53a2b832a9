/**
 * `matomo:privacy`: the privacy settings Matomo keeps in its database (its "Anonymize data"
 * page), set from the stack on every run of the install Job. Defaults are Matomo's own, with IP
 * anonymisation on, as a browser install leaves them; nothing weaker is the default.
 */
import { boolean, integer, oneOf } from "../schema/fields";
import { object } from "../schema/structures";

export const privacyKey = object(
    {
        anonymizeIp: boolean({
            doc: "Anonymise visitors' IP addresses before anything is stored (Matomo's IP anonymisation; the GDPR default).",
            default: true,
        }),
        ipAddressMaskLength: integer({
            doc: "How many bytes of an IPv4 address are masked (IPv6: 64, 80, 104 or all bits): 1, 2 or 3 (4: the whole address).",
            default: 2,
            min: 1,
            max: 4,
        }),
        useAnonymizedIpForVisitEnrichment: boolean({
            doc: "Geolocate and resolve providers from the anonymised address instead of the full one (coarser locations).",
            default: false,
        }),
        doNotTrack: boolean({ doc: "Honour the browser's Do Not Track header: such visits are not recorded.", default: true }),
        forceCookielessTracking: boolean({
            doc: "Make the JavaScript tracker use no cookies at all (matomo.js is regenerated in every web pod when it starts).",
            default: false,
        }),
        anonymizeUserId: boolean({ doc: "Replace the User ID with a pseudonym before it is stored.", default: false }),
        anonymizeOrderId: boolean({ doc: "Replace e-commerce order IDs with a pseudonym before they are stored.", default: false }),
        anonymizeReferrer: oneOf(["", "exclude_query", "exclude_path", "exclude_all"], {
            doc: "Drop parts of the referrer URL before it is stored: its query, its path and query, or all of it; empty to keep it.",
            default: "",
        }),
    },
    {
        doc: "Privacy settings (Matomo's Privacy > Anonymize data page), written by the install Job whenever they change here; set them here rather than in the UI.",
        switches: {
            anonymizeIp: {
                governs: ["ipAddressMaskLength", "useAnonymizedIpForVisitEnrichment"],
                off: "visitors' addresses are stored in full",
            },
        },
    },
);

/** The privacy settings, resolved. */
export interface PrivacyConfig {
    readonly anonymizeIp: boolean;
    /** Bytes masked, 1 to 4. */
    readonly ipAddressMaskLength: number;
    readonly useAnonymizedIpForVisitEnrichment: boolean;
    readonly doNotTrack: boolean;
    readonly forceCookielessTracking: boolean;
    readonly anonymizeUserId: boolean;
    readonly anonymizeOrderId: boolean;
    readonly anonymizeReferrer: "" | "exclude_query" | "exclude_path" | "exclude_all";
}
