/** CronJob schedules as the API server checks them (robfig/cron v3 ParseStandard, no TZ), and that they fire. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { CRON_DESCRIPTORS, cronNeverFiresReason, cronScheduleError } from "../components/config/schema/cronSchedule";
import { checkCronSchedule } from "../components/config/schema/validators";
import { propertyRuns } from "./support/unitMode";

/** [min, max] of minute, hour, day of month, month, day of week. */
const BOUNDS = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 6],
] as const;

/** A valid range of a field with these bounds, in one of the forms the parser reads. */
const validRange = ([min, max]: readonly [number, number]) =>
    fc.oneof(
        fc.constantFrom("*", "?"),
        fc.integer({ min, max }).map(String),
        fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
        fc.tuple(fc.constantFrom("*", String(min), `${min}-${max}`), fc.integer({ min: 1, max: 100 })).map(([r, s]) => `${r}/${s}`),
    );

const validSchedule = fc
    .tuple(...BOUNDS.map((b) => fc.array(validRange(b), { minLength: 1, maxLength: 3 }).map((r) => r.join(","))))
    .map((fields) => fields.join(" "));

describe("CronJob schedules", () => {
    it("accept what ParseStandard accepts: lists, ranges, steps, names in any case, ? and the descriptors", () => {
        for (const schedule of [
            "5 * * * *",
            "*/15 0-6,22-23 * * ?",
            "0 3 1,15 JAN-jun mon-FRI",
            "0 0 * * sun",
            "30 4 */2 * 1-5",
            "5/10 * * * *",
            "0 0 1 1 0",
            "59 23 31 12 6",
            "0 0 1,,2 * *", // Go's FieldsFunc skips empty list items
            "  5 * * * *  ",
            "+5 * * * *", // Go's Atoi takes a sign
            ...CRON_DESCRIPTORS,
        ]) {
            assert.equal(cronScheduleError(schedule), undefined, schedule);
        }
    });

    it("refuse what the API server refuses, naming the field", () => {
        for (const [schedule, why] of [
            ["", /empty/],
            ["0 0 * * 7", /day of week: 7 is above the day of week's maximum, 6/], // Sunday is 0 only
            ["61 * * * *", /minute: 61 is above/],
            ["0 24 * * *", /hour: 24 is above/],
            ["0 0 0 * *", /day of month: 0 is below the day of month's minimum, 1/],
            ["0 0 * 13 *", /month: 13 is above/],
            ["0 0 * * mon-sun", /day of week: the range "mon-sun" starts after it ends/],
            ["*/0 * * * *", /step of "\*\/0" must be positive/],
            ["1-2-3 * * * *", /too many hyphens/],
            ["*/2/3 * * * *", /too many slashes/],
            ["-5 * * * *", /"" is not a number/],
            ["0 0 L * *", /day of month: "L" is not a number/],
            ["0 0 * * 1#2", /day of week: "1#2" is not a number or a name/],
            ["H * * * *", /minute: "H" is not a number/],
            ["0 0 * JANUARY *", /month: "JANUARY" is not a number or a name/],
            ["0 5 * * * *", /got 6 fields/],
            ["5 * * *", /got 4 fields/],
            ["TZ=UTC 5 * * * *", /matomo:timezone/],
            ["CRON_TZ=Europe/Paris 5 * * * *", /matomo:timezone/],
            ["@every 1h", /not one of @yearly/],
            ["@reboot", /not one of/],
            [" @hourly", /got 1 fields/],
        ] as const) {
            const problem = cronScheduleError(schedule);
            assert.match(problem ?? "(accepted)", why, JSON.stringify(schedule));
        }
    });

    it("accept every schedule built from in-range fields", () => {
        fc.assert(fc.property(validSchedule, (s) => cronScheduleError(s) === undefined));
    });

    it("refuse a schedule with any one value out of its field's range, naming that field", () => {
        const labels = ["minute", "hour", "day of month", "month", "day of week"];
        fc.assert(
            fc.property(
                validSchedule,
                fc.integer({ min: 0, max: 4 }),
                fc.boolean(),
                fc.integer({ min: 1, max: 50 }),
                (schedule, field, below, by) => {
                    const [min, max] = BOUNDS[field];
                    if (below && min - by < 0) return true; // negatives are a parse error, covered above
                    const fields = schedule.split(" ");
                    fields[field] = String(below ? min - by : max + by);
                    const problem = cronScheduleError(fields.join(" "));
                    return problem !== undefined && problem.startsWith(`${labels[field]}: `);
                },
            ),
        );
    });
});

/**
 * Whether a schedule fires on some day of 2024-2031 (two leap years), by brute force over the days
 * with robfig/cron's day rule (spec.go dayMatches): both day fields must match when either is `*`
 * or `?` without a step above 1, either one otherwise. Minute and hour always select some value.
 */
function firesWithin8Years(schedule: string): boolean {
    const [, , dom, month, dow] = schedule.split(" ");
    const expand = (field: string, min: number, max: number) => {
        const values = new Set<number>();
        let star = false;
        for (const expr of field.split(",")) {
            const [range, stepText] = expr.split("/");
            const step = stepText === undefined ? 1 : Number(stepText);
            const [low, high] = range === "*" || range === "?" ? [min, max] : range.split("-").map(Number);
            const end = high ?? (stepText === undefined ? low : max);
            for (let v = low; v <= end; v += step) values.add(v);
            if ((range === "*" || range === "?") && step <= 1) star = true;
        }
        return { values, star };
    };
    const [days, months, weekdays] = [expand(dom, 1, 31), expand(month, 1, 12), expand(dow, 0, 6)];
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2032, 0, 1); t += 86_400_000) {
        const date = new Date(t);
        if (!months.values.has(date.getUTCMonth() + 1)) continue;
        const domMatch = days.values.has(date.getUTCDate());
        const dowMatch = weekdays.values.has(date.getUTCDay());
        if (days.star || weekdays.star ? domMatch && dowMatch : domMatch || dowMatch) return true;
    }
    return false;
}

/** A day-of-month, month or day-of-week field in any of the forms ParseStandard reads. */
const dayField = (min: number, max: number) =>
    fc
        .array(
            fc.oneof(
                fc.constantFrom("*", "?"),
                fc.integer({ min, max }).map(String),
                fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
                fc.tuple(fc.constantFrom("*", String(max), String(min)), fc.integer({ min: 1, max: 12 })).map(([r, s]) => `${r}/${s}`),
            ),
            { minLength: 1, maxLength: 3 },
        )
        .map((items) => items.join(","));

describe("CronJob schedules that never fire", () => {
    it("are refused when the day of month never occurs in the selected months, the day of week being *", () => {
        for (const [schedule, why] of [
            ["0 0 31 2 *", /^February never has a 31st, so the job would never run/],
            ["0 0 30 2 *", /^February never has a 30th/],
            ["0 0 30,31 feb ?", /^February never has a 30th or 31st/],
            ["0 0 31 4,6,9,11 *", /^April, June, September and November never have a 31st/],
            ["0 0 31 4-6/2 *", /^April and June never have a 31st/],
            ["15 3 31 2 */1", /^February never has a 31st/],
        ] as const) {
            assert.equal(cronScheduleError(schedule), undefined, `${schedule} is one the API server accepts`);
            assert.match(cronNeverFiresReason(schedule) ?? "(fires)", why, schedule);
            assert.match(checkCronSchedule(schedule) ?? "(accepted)", /^it never fires: /);
        }
    });

    it("are not those that fire rarely or on another rule: Feb 29 in leap years, or a restricted day of week (cron ORs the days)", () => {
        for (const schedule of [
            "0 0 29 2 *",
            "0 0 31 2 1",
            "0 0 31 2 */2",
            "0 0 31 1-2 *",
            "0 0 30 * *",
            "0 0 * 2 *",
            ...CRON_DESCRIPTORS,
        ]) {
            assert.equal(cronNeverFiresReason(schedule), undefined, schedule);
            assert.equal(checkCronSchedule(schedule), undefined, schedule);
        }
    });

    it("are refused exactly when no day of eight years (two of them leap years) matches", () => {
        fc.assert(
            fc.property(dayField(1, 31), dayField(1, 12), dayField(0, 6), (dom, month, dow) => {
                const schedule = `0 0 ${dom} ${month} ${dow}`;
                fc.pre(cronScheduleError(schedule) === undefined);
                assert.equal(cronNeverFiresReason(schedule) !== undefined, !firesWithin8Years(schedule), schedule);
            }),
            { numRuns: propertyRuns(300) },
        );
    });

    it("are refused exactly when no day matches, among schedules with a rare day (29-31) in a few months", () => {
        const rare = fc.tuple(
            fc.subarray([29, 30, 31], { minLength: 1 }),
            fc.subarray([1, 2, 3, 4, 6, 9, 11], { minLength: 1 }),
            fc.constantFrom("*", "?", "1", "*/2", "1-5"),
        );
        fc.assert(
            fc.property(rare, ([days, months, dow]) => {
                const schedule = `0 0 ${days.join(",")} ${months.join(",")} ${dow}`;
                assert.equal(cronNeverFiresReason(schedule) !== undefined, !firesWithin8Years(schedule), schedule);
            }),
            { numRuns: propertyRuns(200) },
        );
    });
});
