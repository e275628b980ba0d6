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

/** The instant of a wall-clock time in tz. In a spring-forward gap the offset before the
 * gap is used (02:30 that does not exist becomes 03:30), as the server does. */
export function zonedToUtc(z: Zoned, tz: string): number {
  const guess = Date.UTC(z.year, z.month - 1, z.day, z.hour, z.minute, z.second);
  const off1 = zoneOffset(guess - zoneOffset(guess, tz), tz);
  let ms = guess - off1;
  const off2 = zoneOffset(ms, tz);
  if (off2 !== off1) {
    const alt = guess - off2;
    if (zoneOffset(alt, tz) === off2) ms = alt; // the other side of a transition
    else ms = guess - Math.min(off1, off2); // inside a gap: the offset before it
  }
  return ms;
}

const pad = (n: number) => String(n).padStart(2, '0');

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
    const opts: Intl.DateTimeFormatOptions = { timeZone: tz, day: 'numeric', month: 'short' };
    if (diff > 1 && diff < 7) opts.weekday = 'short';
    if (z.year !== n.year) opts.year = 'numeric';
    day = new Intl.DateTimeFormat('en-GB', opts).format(new Date(ms));
  }
  return `${day} ${time}`;
}

/** A full local date and time for titles and history: "Tue, 1 Dec 2026, 09:00". */
export function fullLabel(iso: string, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: tz, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(new Date(Date.parse(iso)));
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

export function durationLabel(d: string): string {
  const preset = REMINDER_PRESETS.find((p) => p.before === d);
  if (preset) return preset.label;
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(d);
  if (!m) return d;
  const parts: string[] = [];
  const unit = (n: string | undefined, w: string) => {
    if (n && +n) parts.push(`${+n} ${w}${+n === 1 ? '' : 's'}`);
  };
  unit(m[1], 'week'); unit(m[2], 'day'); unit(m[3], 'hour'); unit(m[4], 'minute'); unit(m[5], 'second');
  return parts.length ? parts.join(' ') + ' before' : 'At due time';
}
