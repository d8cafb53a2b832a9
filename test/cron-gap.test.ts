/** The longest wait between two runs of a CronJob schedule, which the CronJob alerts are built on. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { cronLongestGapMinutes } from "../components/config/schema/cronGap";
import { propertyRuns } from "./support/unitMode";

const HOUR = 60;
const DAY = 24 * HOUR;

/** Minute-by-minute: the runs of a schedule whose day fields are both `*`, over two days. */
function bruteForceDailyGap(minutes: readonly number[], hours: readonly number[]): number {
    const runs: number[] = [];
    for (let t = 0; t < 2 * DAY; t++) if (minutes.includes(t % 60) && hours.includes(Math.floor(t / 60) % 24)) runs.push(t);
    const first = runs.filter((t) => t < DAY);
    return Math.max(...first.map((t) => runs.find((u) => u > t)! - t));
}

const someOf = (max: number) => fc.uniqueArray(fc.integer({ min: 0, max }), { minLength: 1, maxLength: 4 });

describe("The longest gap between two runs of a cron schedule", () => {
    it("is the period of regular schedules and of the descriptors", () => {
        for (const [schedule, gap] of [
            ["*/5 * * * *", 5],
            ["7 * * * *", HOUR],
            ["0 3 * * *", DAY],
            ["0 3 * * 0", 7 * DAY],
            ["@hourly", HOUR],
            ["@daily", DAY],
            ["@midnight", DAY],
            ["@weekly", 7 * DAY],
        ] as const) {
            assert.equal(cronLongestGapMinutes(schedule), gap, schedule);
        }
    });

    it("takes the longest of uneven gaps, across days, months and years", () => {
        assert.equal(cronLongestGapMinutes("0 1,7 * * *"), 18 * HOUR);
        assert.equal(cronLongestGapMinutes("30 23 * * 1-5"), 3 * DAY); // Friday night to Monday night
        assert.equal(cronLongestGapMinutes("0 0 1 * *"), 31 * DAY);
        assert.equal(cronLongestGapMinutes("@monthly"), 31 * DAY);
        assert.equal(cronLongestGapMinutes("0 0 1 1 *"), 366 * DAY);
        assert.equal(cronLongestGapMinutes("0 0 31 * *"), 61 * DAY); // August 31st to October 31st
        // February 29th: eight years across 2100, which is no leap year.
        assert.equal(cronLongestGapMinutes("0 0 29 2 *"), (8 * 365 + 1) * DAY);
    });

    it("matches the days as robfig/cron does: either day field when both are restricted", () => {
        assert.equal(cronLongestGapMinutes("0 0 1 * 1"), 7 * DAY); // 1st of the month or a Monday
        assert.equal(cronLongestGapMinutes("0 0 */1 * 1"), 7 * DAY); // a step over * drops the star: still either
        assert.equal(cronLongestGapMinutes("0 0 * * 1"), 7 * DAY);
    });

    it("has none for an invalid schedule or one that never fires", () => {
        assert.equal(cronLongestGapMinutes("0 0 * * 7"), undefined);
        assert.equal(cronLongestGapMinutes("0 0 31 2 *"), undefined);
    });

    it("equals a minute-by-minute walk for schedules that run every day", () => {
        fc.assert(
            fc.property(someOf(59), someOf(23), (minutes, hours) => {
                const schedule = `${minutes.join(",")} ${hours.join(",")} * * *`;
                assert.equal(cronLongestGapMinutes(schedule), bruteForceDailyGap(minutes, hours));
            }),
            { numRuns: propertyRuns(40) },
        );
    });

    it("never shrinks when weekdays are taken away, and is at most a week while one weekday runs", () => {
        fc.assert(
            fc.property(someOf(59), someOf(23), someOf(6), (minutes, hours, weekdays) => {
                const daily = cronLongestGapMinutes(`${minutes.join(",")} ${hours.join(",")} * * *`)!;
                const weekly = cronLongestGapMinutes(`${minutes.join(",")} ${hours.join(",")} * * ${weekdays.join(",")}`)!;
                assert.ok(weekly >= daily);
                assert.ok(weekly <= 7 * DAY, `${weekly}`);
                if (weekdays.length === 7) assert.equal(weekly, daily);
            }),
            { numRuns: propertyRuns(40) },
        );
    });
});
