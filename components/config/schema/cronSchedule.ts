/**
 * CronJob schedules, checked the way the Kubernetes API server checks them: `spec.schedule` goes
 * through robfig/cron v3's `ParseStandard` (five fields: minute, hour, day of month, month, day
 * of week; or a descriptor), and any `TZ` in it is refused in favour of `spec.timeZone`. The rules
 * below follow that parser's own (parser.go, spec.go): comma lists, `a-b` ranges, `/step`, `*` and
 * `?`, month and weekday names, weekdays 0-6 (7 is not Sunday there). A schedule the API server
 * accepts can still never fire (`0 0 31 2 *`): that is found with the matching rules of spec.go.
 */

/** One field's bounds and the names it accepts (lower case), as robfig/cron's spec.go has them. */
interface Bounds {
    readonly label: string;
    readonly min: number;
    readonly max: number;
    readonly names?: ReadonlyMap<string, number>;
}

const MONTH_NAMES = new Map(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].map((n, i) => [n, i + 1]));
const DAY_NAMES = new Map(["sun", "mon", "tue", "wed", "thu", "fri", "sat"].map((n, i) => [n, i]));

const FIELDS: readonly Bounds[] = [
    { label: "minute", min: 0, max: 59 },
    { label: "hour", min: 0, max: 23 },
    { label: "day of month", min: 1, max: 31 },
    { label: "month", min: 1, max: 12, names: MONTH_NAMES },
    { label: "day of week", min: 0, max: 6, names: DAY_NAMES },
];

/** The descriptors ParseStandard accepts and this project allows (`@every` is not a calendar schedule). */
export const CRON_DESCRIPTORS: readonly string[] = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

/** Go's strconv.Atoi: an optional sign and decimal digits, within 64 bits. */
function atoi(text: string): number | undefined {
    if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : undefined;
}

/** A number or, where the field has names, a name (any case). */
function intOrName(text: string, bounds: Bounds): number | string {
    const named = bounds.names?.get(text.toLowerCase());
    if (named !== undefined) return named;
    const value = atoi(text);
    if (value === undefined) return `"${text}" is not a number${bounds.names ? " or a name" : ""}`;
    return value < 0 ? `negative number ${value}` : value;
}

/** The values one range of a field selects, as robfig/cron's getRange reads it. */
export interface Range {
    readonly start: number;
    readonly end: number;
    readonly step: number;
    /** `*` or `?` without a step above 1: robfig/cron's star bit, which changes how days match. */
    readonly star: boolean;
}

/** One range of a field (`*`, `?`, `n`, `a-b`, each with an optional `/step`), or why it is invalid. */
function parseRange(expr: string, bounds: Bounds): Range | string {
    const rangeAndStep = expr.split("/");
    const lowAndHigh = rangeAndStep[0].split("-");
    let start: number | string = bounds.min;
    let end: number | string = bounds.max;
    const any = lowAndHigh[0] === "*" || lowAndHigh[0] === "?";
    if (!any) {
        if (lowAndHigh.length > 2) return `too many hyphens in "${expr}"`;
        start = intOrName(lowAndHigh[0], bounds);
        end = lowAndHigh.length === 2 ? intOrName(lowAndHigh[1], bounds) : start;
    }
    if (typeof start === "string") return start;
    if (typeof end === "string") return end;
    if (rangeAndStep.length > 2) return `too many slashes in "${expr}"`;
    let step = 1;
    if (rangeAndStep.length === 2) {
        const parsed = atoi(rangeAndStep[1]);
        if (parsed === undefined || parsed < 0) return `the step of "${expr}" is not a number`;
        if (parsed === 0) return `the step of "${expr}" must be positive`;
        step = parsed;
        if (lowAndHigh.length === 1) end = bounds.max; // "n/step" means "n-max/step"
    }
    if (start < bounds.min) return `${start} is below the ${bounds.label}'s minimum, ${bounds.min}`;
    if (end > bounds.max) return `${end} is above the ${bounds.label}'s maximum, ${bounds.max}`;
    if (start > end) return `the range "${expr}" starts after it ends`;
    return { start, end, step, star: any && step <= 1 };
}

/** The ranges of each of the five fields, or why the schedule is invalid (the field named). */
export function parseFields(schedule: string): Range[][] | string {
    const fields = schedule.split(/\s+/).filter((f) => f !== "");
    if (fields.length !== FIELDS.length) return `got ${fields.length} fields`;
    const parsed: Range[][] = [];
    for (const [i, field] of fields.entries()) {
        const ranges: Range[] = [];
        // Go's strings.FieldsFunc: empty items of the list are skipped, not refused.
        for (const expr of field.split(",").filter((e) => e !== "")) {
            const range = parseRange(expr, FIELDS[i]);
            if (typeof range === "string") return `${FIELDS[i].label}: ${range}`;
            ranges.push(range);
        }
        parsed.push(ranges);
    }
    return parsed;
}

/**
 * Why Kubernetes would refuse `schedule` as a CronJob's `spec.schedule`, or undefined when it
 * accepts it (and it is not the `@every` descriptor, which this project does not allow).
 */
export function cronScheduleError(schedule: string): string | undefined {
    if (schedule.includes("TZ")) return "the time zone comes from matomo:timezone (spec.timeZone); remove the TZ= prefix";
    if (schedule === "") return "the schedule is empty";
    if (schedule.startsWith("@")) {
        return CRON_DESCRIPTORS.includes(schedule) ? undefined : `"${schedule}" is not one of ${CRON_DESCRIPTORS.join(", ")}`;
    }
    const fields = parseFields(schedule);
    return typeof fields === "string" ? fields : undefined;
}

const MONTH_LABELS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/** The most days each month has (February's 29th comes in leap years, and a schedule that needs it fires then). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The values the ranges select, and whether one of them carries robfig/cron's star bit. */
export function selected(ranges: readonly Range[]): { values: number[]; star: boolean } {
    const values = new Set<number>();
    for (const { start, end, step } of ranges) for (let v = start; v <= end; v += step) values.add(v);
    return { values: [...values].sort((a, b) => a - b), star: ranges.some((r) => r.star) };
}

const ordinal = (day: number) =>
    `${day}${day % 10 === 1 && day !== 11 ? "st" : day % 10 === 2 && day !== 12 ? "nd" : day % 10 === 3 && day !== 13 ? "rd" : "th"}`;
const listed = (items: readonly string[], last: string) =>
    items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} ${last} ${items.at(-1)}`;

/**
 * Why a schedule the API server accepts never fires, or undefined when it fires in some year.
 * robfig/cron matches a day when both day fields match if either is unrestricted (`*` or `?`, its
 * star bit), and when either matches otherwise; so only a restricted day of month with an
 * unrestricted day of week can miss every day: when no selected month has a selected day.
 */
export function cronNeverFiresReason(schedule: string): string | undefined {
    if (schedule.startsWith("@")) return undefined;
    const fields = parseFields(schedule);
    if (typeof fields === "string") return undefined;
    const [days, months, weekdays] = [selected(fields[2]), selected(fields[3]), selected(fields[4])];
    if (!weekdays.star) return undefined;
    if (months.values.some((m) => days.values.some((d) => d <= MONTH_DAYS[m - 1]))) return undefined;
    const monthNames = months.values.map((m) => MONTH_LABELS[m - 1]);
    return (
        `${listed(monthNames, "and")} never ${monthNames.length === 1 ? "has" : "have"} a ${listed(days.values.map(ordinal), "or")}, ` +
        "so the job would never run (Kubernetes accepts the schedule all the same); use a day of month the months have"
    );
}
