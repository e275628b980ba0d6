// Times in the user's time zone (their account setting, not the browser's): showing an
// instant as a local date and time, and turning a local date and time typed in a form into
// the UTC instant the API stores. Only Intl: no time-zone tables of our own.

const partsCache = new Map<string, Intl.DateTimeFormat>();

function partsFormat(tz: string): Intl.DateTimeFormat {
  let f = partsCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    partsCache.set(tz, f);
  }
  return f;
}

export interface Zoned {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
}

export function zonedParts(ms: number, tz: string): Zoned {
  const out: Record<string, number> = {};
  for (const p of partsFormat(tz).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    year: out.year, month: out.month, day: out.day,
    hour: out.hour === 24 ? 0 : out.hour, minute: out.minute, second: out.second,
  };
}

/** The zone's offset from UTC at instant ms, in ms (Berlin in winter: +3600000). */
export function zoneOffset(ms: number, tz: string): number {
  const z = zonedParts(ms, tz);
  const asUtc = Date.UTC(z.year, z.month - 1, z.day, z.hour, z.minute, z.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

const DAY_MS = 86400000;

/** The instant of a wall-clock time in tz, exactly as the server's local_to_utc
 * (src/core/recur.c): a time that exists once uses its offset; a time repeated when the
 * clocks go back takes its first (earlier) instant; a time in a spring-forward gap uses the
 * offset before the gap (02:30 that does not exist becomes 03:30). The offsets a day either
 * side tell whether a transition is near. */
export function zonedToUtc(z: Zoned, tz: string): number {
  const wall = Date.UTC(z.year, z.month - 1, z.day, z.hour, z.minute, z.second);
  const before = zoneOffset(wall - DAY_MS, tz);
  const after = zoneOffset(wall + DAY_MS, tz);
  if (before === after) return wall - before;
  const tBefore = wall - before;
  const tAfter = wall - after;
  const okBefore = zoneOffset(tBefore, tz) === before;
  const okAfter = zoneOffset(tAfter, tz) === after;
  if (okBefore && okAfter) return Math.min(tBefore, tAfter); // repeated: the first instant
  if (okAfter) return tAfter;
  return tBefore; // valid only before, or a gap: the offset before the gap
}

/** Two digits: pad(7) = "07". */
export function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "2026-12-01" and "09:00" for an instant in tz (what <input type=date|time> take). */
export function toInputs(iso: string | null, tz: string): { date: string; time: string } {
  if (!iso) return { date: '', time: '' };
  const z = zonedParts(Date.parse(iso), tz);
  return { date: `${z.year}-${pad(z.month)}-${pad(z.day)}`, time: `${pad(z.hour)}:${pad(z.minute)}` };
}

/** The UTC instant (RFC 3339) of a date and optional time typed in tz; null when empty or
 * not a date. The API has instants only, so a date without a time means 09:00 that day
 * (docs/decisions/0014-web-ui.md). */
export function fromInputs(date: string, time: string, tz: string): string | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  if (!d) return null;
  const t = /^(\d{1,2}):(\d{2})$/.exec((time || '09:00').trim());
  if (!t) return null;
  const ms = zonedToUtc({
    year: +d[1], month: +d[2], day: +d[3], hour: +t[1], minute: +t[2], second: 0,
  }, tz);
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function todayInputs(tz: string, addDays = 0): string {
  const z = zonedParts(Date.now(), tz);
  const d = new Date(Date.UTC(z.year, z.month - 1, z.day + addDays));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

// Intl.DateTimeFormat is slow to build: one per zone and shape, reused (labels are drawn for
// every row on every search keystroke).
const labelCache = new Map<string, Intl.DateTimeFormat>();

function labelFormat(tz: string, shape: 'day' | 'weekday' | 'year' | 'weekday-year' | 'full'): Intl.DateTimeFormat {
  const key = `${shape}|${tz}`;
  let f = labelCache.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions = shape === 'full'
      ? {
        timeZone: tz, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
        hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
      }
      : { timeZone: tz, day: 'numeric', month: 'short' };
    if (shape === 'weekday' || shape === 'weekday-year') opts.weekday = 'short';
    if (shape === 'year' || shape === 'weekday-year') opts.year = 'numeric';
    f = new Intl.DateTimeFormat('en-GB', opts);
    labelCache.set(key, f);
  }
  return f;
}

function dayNumber(z: Zoned): number {
  return Math.floor(Date.UTC(z.year, z.month - 1, z.day) / 86400000);
}

/** A short, human due label in tz: "Today 09:00", "Tomorrow", "Yesterday 17:00",
 * "Mon 7 Dec", "7 Dec 2027 09:00". */
export function dueLabel(iso: string, tz: string, now = Date.now()): string {
  const ms = Date.parse(iso);
  const z = zonedParts(ms, tz);
  const n = zonedParts(now, tz);
  const diff = dayNumber(z) - dayNumber(n);
  const time = `${pad(z.hour)}:${pad(z.minute)}`;
  let day: string;
  if (diff === 0) day = 'Today';
  else if (diff === 1) day = 'Tomorrow';
  else if (diff === -1) day = 'Yesterday';
  else {
    const weekday = diff > 1 && diff < 7;
    const year = z.year !== n.year;
    const shape = weekday ? (year ? 'weekday-year' : 'weekday') : year ? 'year' : 'day';
    day = labelFormat(tz, shape).format(new Date(ms));
  }
  return `${day} ${time}`;
}

/** A full local date and time for titles and history: "Tue, 1 Dec 2026, 09:00". */
export function fullLabel(iso: string, tz: string): string {
  return labelFormat(tz, 'full').format(new Date(Date.parse(iso)));
}

export function isOverdue(iso: string | null, completed: boolean, now = Date.now()): boolean {
  return !!iso && !completed && Date.parse(iso) < now;
}

/** Every IANA zone the browser knows, for the settings page. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const list = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
  return list.includes('UTC') ? list : ['UTC', ...list];
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** ISO 8601 durations for reminder presets, and words for them. */
export const REMINDER_PRESETS: { before: string; label: string }[] = [
  { before: 'PT0S', label: 'At due time' },
  { before: 'PT10M', label: '10 minutes before' },
  { before: 'PT30M', label: '30 minutes before' },
  { before: 'PT1H', label: '1 hour before' },
  { before: 'PT3H', label: '3 hours before' },
  { before: 'P1D', label: '1 day before' },
  { before: 'P7D', label: '1 week before' },
];

export interface Duration { weeks: number; days: number; hours: number; minutes: number; seconds: number }

/** The parts of an ISO 8601 duration of weeks, days, hours, minutes and seconds ("P1D",
 * "PT1H30M"); null if it is not one. */
export function parseDuration(d: string): Duration | null {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(d);
  if (!m) return null;
  const n = (s: string | undefined) => (s ? Number(s) : 0);
  return { weeks: n(m[1]), days: n(m[2]), hours: n(m[3]), minutes: n(m[4]), seconds: n(m[5]) };
}

/** Seconds in an ISO 8601 duration (see parseDuration); null if it is not one. */
export function durationSeconds(d: string): number | null {
  const p = parseDuration(d);
  if (!p) return null;
  return p.weeks * 604800 + p.days * 86400 + p.hours * 3600 + p.minutes * 60 + p.seconds;
}

export function durationLabel(d: string): string {
  const preset = REMINDER_PRESETS.find((p) => p.before === d);
  if (preset) return preset.label;
  const p = parseDuration(d);
  if (!p) return d;
  const parts: string[] = [];
  const unit = (n: number, w: string) => {
    if (n) parts.push(`${n} ${w}${n === 1 ? '' : 's'}`);
  };
  unit(p.weeks, 'week'); unit(p.days, 'day'); unit(p.hours, 'hour'); unit(p.minutes, 'minute'); unit(p.seconds, 'second');
  return parts.length ? parts.join(' ') + ' before' : 'At due time';
}
