/** CronJob schedules as the API server checks them (robfig/cron v3 ParseStandard, no TZ). */
import assert from "node:assert/strict";
import fc from "fast-check";
import { CRON_DESCRIPTORS, cronScheduleError } from "../components/config/schema/cronSchedule";

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
