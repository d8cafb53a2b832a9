/**
 * The longest wait between two runs of a CronJob schedule, so that an alert "has not succeeded
 * within its period plus a margin" follows each CronJob's own schedule rather than a constant.
 * Days are matched the way robfig/cron v3 matches them (cronSchedule.ts); the walk covers one
 * whole Gregorian cycle (400 years, whose weekdays and leap years repeat), wrapping around, so a
 * `29 2 *` schedule yields its eight-year gap across a skipped leap year. Daylight-saving shifts
 * are not counted: they move a run by at most an hour, which the alert's margin absorbs.
 */
import { parseFields, selected } from "./cronSchedule";

/** robfig/cron's descriptors, as the five-field schedules they stand for. */
const DESCRIPTORS: Readonly<Record<string, string>> = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
};

const MINUTES_PER_DAY = 24 * 60;
/** The days of a Gregorian cycle, after which the calendar (weekdays, leap years) repeats. */
const CYCLE_DAYS = 146_097;
/** 2000-01-01 in days since the Unix epoch; a cycle starts on it. */
const CYCLE_START = Date.UTC(2000, 0, 1) / 86_400_000;

/**
 * The longest time, in minutes, from one run of `schedule` to the next, or undefined when the
 * schedule is invalid or never fires (both refused by the configuration before this is asked).
 */
export function cronLongestGapMinutes(schedule: string): number | undefined {
    const fields = parseFields(DESCRIPTORS[schedule.trim()] ?? schedule);
    if (typeof fields === "string") return undefined;
    const [minutes, hours, dom, months, dow] = fields.map(selected);
    const times = hours.values.flatMap((h) => minutes.values.map((m) => h * 60 + m));
    const bothDaysMustMatch = dom.star || dow.star;
    // Every date of every month selected: a day matches by its weekday alone, so one week repeats.
    const everyDate = months.values.length === 12 && dom.values.length === 31;
    const cycle = everyDate ? 7 : CYCLE_DAYS;
    const days: number[] = [];
    for (let day = 0; day < cycle; day++) {
        const date = new Date((CYCLE_START + day) * 86_400_000);
        if (!months.values.includes(date.getUTCMonth() + 1)) continue;
        const domMatch = dom.values.includes(date.getUTCDate());
        const dowMatch = dow.values.includes(date.getUTCDay());
        if (bothDaysMustMatch ? domMatch && dowMatch : domMatch || dowMatch) days.push(day);
    }
    if (days.length === 0 || times.length === 0) return undefined;
    let longest = 0;
    for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i] - times[i - 1]);
    // From the day's last run to the next matching day's first (the cycle wraps to its first day).
    const overnight = MINUTES_PER_DAY - times[times.length - 1] + times[0];
    for (let i = 0; i < days.length; i++) {
        const next = i + 1 < days.length ? days[i + 1] : days[0] + cycle;
        longest = Math.max(longest, (next - days[i] - 1) * MINUTES_PER_DAY + overnight);
    }
    return longest;
}
