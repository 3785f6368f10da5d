/**
 * On-call schedules and business hours: pure time math over IANA time zones (Intl), so
 * the incident workflow and the API answer "who is on call at T" the same way.
 */

export interface Override {
  from: string;
  to: string;
  person: string;
}

export interface Schedule {
  timezone: string;
  rotation: 'daily' | 'weekly';
  /** Wall-clock handoff time in the schedule's zone, "HH:MM". */
  handoff: string;
  /** The first shift starts on this local date (YYYY-MM-DD) at the handoff time; weekly rotations hand off on its weekday. */
  start: string;
  people: string[];
  /** Dated ranges where someone else covers; the last matching one wins. */
  overrides: Override[];
}

export interface BusinessHours {
  timezone: string;
  /** ISO weekdays: 1 = Monday … 7 = Sunday. */
  days: number[];
  start: string;
  end: string;
}

export interface OnCall {
  person?: string;
  source: 'rotation' | 'override' | 'empty';
  shift_start: string;
  shift_end: string;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows this IANA zone (used to validate config). */
export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `tz` at instant `t`, as if that wall clock were UTC (ms). */
export function wallClock(t: number, tz: string): number {
  const p = Object.fromEntries(
    formatter(tz)
      .formatToParts(new Date(t))
      .map((x) => [x.type, Number(x.value)]),
  );
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) + (((t % 1000) + 1000) % 1000);
}

/** The instant when the wall clock in `tz` reads `wall` (the later one in a DST gap or overlap). */
export function instantOf(wall: number, tz: string): number {
  const guess = wall - (wallClock(wall, tz) - wall);
  return wall - (wallClock(guess, tz) - guess);
}

const hhmm = (s: string) => {
  const [h, m] = s.split(':').map(Number);
  return (h * 60 + m) * MINUTE;
};
const dateWall = (ymd: string) => Date.parse(`${ymd}T00:00:00Z`);

/** Who is on call at instant `at`: an override if one covers it, else the rotation's person. */
export function onCallAt(s: Schedule, at: number): OnCall {
  const length = s.rotation === 'daily' ? DAY : 7 * DAY;
  const first = dateWall(s.start) + hhmm(s.handoff);
  const wall = wallClock(at, s.timezone);
  const index = Math.floor((wall - first) / length);
  const shiftStart = instantOf(first + index * length, s.timezone);
  const shiftEnd = instantOf(first + (index + 1) * length, s.timezone);
  const override = [...s.overrides].reverse().find((o) => Date.parse(o.from) <= at && at < Date.parse(o.to));
  if (override)
    return {
      person: override.person,
      source: 'override',
      shift_start: override.from,
      shift_end: override.to,
    };
  const shift = {
    shift_start: new Date(shiftStart).toISOString(),
    shift_end: new Date(shiftEnd).toISOString(),
  };
  if (!s.people.length) return { source: 'empty', ...shift };
  const n = s.people.length;
  return { person: s.people[((index % n) + n) % n], source: 'rotation', ...shift };
}

const isoWeekday = (wall: number) => ((new Date(wall).getUTCDay() + 6) % 7) + 1;

/** Inside working hours at instant `at`? */
export function isBusinessHours(b: BusinessHours, at: number): boolean {
  const wall = wallClock(at, b.timezone);
  const ofDay = wall % DAY;
  return b.days.includes(isoWeekday(wall)) && ofDay >= hhmm(b.start) && ofDay < hhmm(b.end);
}

/** `at` itself when inside working hours, else when they next begin. */
export function nextBusinessStart(b: BusinessHours, at: number): number {
  if (isBusinessHours(b, at)) return at;
  const day = wallClock(at, b.timezone);
  const midnight = day - (day % DAY);
  for (let d = 0; d <= 7; d++) {
    const start = midnight + d * DAY + hhmm(b.start);
    if (b.days.includes(isoWeekday(start)) && instantOf(start, b.timezone) > at)
      return instantOf(start, b.timezone);
  }
  return at; // no working days configured: never defer
}

/** The end of working hours on the first working day after the local date of `at`. */
export function nextBusinessDayEnd(b: BusinessHours, at: number): number {
  const day = wallClock(at, b.timezone);
  const midnight = day - (day % DAY);
  for (let d = 1; d <= 7; d++) {
    const start = midnight + d * DAY;
    if (b.days.includes(isoWeekday(start))) return instantOf(start + hhmm(b.end), b.timezone);
  }
  return at + DAY;
}
