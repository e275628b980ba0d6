// Recurrence rules for the editor: a small model (RuleSpec) of the RFC 5545 rules the
// builder can show, RRULE text to and from it, the presets offered for a due date, and a
// rule in plain English. Pure functions. The server (src/core/rrule.c) stays the judge of
// what is valid; rules are written in libical's canonical part order (FREQ, UNTIL, COUNT,
// INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS) so that an unchanged choice compares
// equal to what the server stored.
import { pad, zonedParts, zonedToUtc } from './time';

export type Weekday = 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA' | 'SU';
export type Freq = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
export type SetPos = 1 | 2 | 3 | 4 | -1;

export type MonthlySpec =
  | { mode: 'day'; day: number /* 1..31, or -1 = the last day */ }
  | { mode: 'weekday'; pos: SetPos; day: Weekday };

export type EndSpec =
  | { kind: 'never' }
  | { kind: 'count'; count: number }
  | { kind: 'until'; date: string /* YYYY-MM-DD in the user's zone */ };

export interface RuleSpec {
  freq: Freq;
  interval: number;
  byDay: Weekday[]; // WEEKLY only; empty = the due date's weekday
  monthly: MonthlySpec; // MONTHLY and YEARLY
  yearMonth?: number; // YEARLY: 1..12
  end: EndSpec;
  /** MONTHLY / YEARLY written without BY parts ("FREQ=MONTHLY"): the day comes from the
   * due date. toRRule keeps it that way until the builder sets a day. */
  implicitDay?: boolean;
}

export interface Preset {
  id: string;
  label: string;
  rule: string;
}

export const WEEKDAYS: Weekday[] = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
export const WEEKDAY_NAMES: Record<Weekday, string> = {
  MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday',
};
export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July',
  'August', 'September', 'October', 'November', 'December'];
const MONTH_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const JS_DAYS: Weekday[] = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
/** Words for the BYSETPOS values the builder offers: 1 → "first", -1 → "last". */
export const ORDINALS: Record<string, string> = { '1': 'first', '2': 'second', '3': 'third', '4': 'fourth', '-1': 'last' };
export const SET_POSITIONS: SetPos[] = [1, 2, 3, 4, -1];
const WEEKDAYS_RULE = 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR';

/** The server's presets and the rule it stores for each (src/core/rrule.c). */
const SERVER_PRESETS: Record<string, string> = {
  DAILY: 'FREQ=DAILY', WEEKDAYS: WEEKDAYS_RULE, WEEKLY: 'FREQ=WEEKLY', MONTHLY: 'FREQ=MONTHLY', YEARLY: 'FREQ=YEARLY',
};

export const MAX_INTERVAL = 1000;
export const MAX_COUNT = 1000;

/** The parts of a YYYY-MM-DD date, or null. */
export function dateParts(date: string | null | undefined): { year: number; month: number; day: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec((date ?? '').trim());
  if (!m) return null;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A YYYY-MM-DD date plus n months; a day the month lacks becomes its last day (31 January
 * + 1 month = 28 or 29 February). Anything not a date comes back as it is. */
export function addMonths(date: string, n: number): string {
  const p = dateParts(date);
  if (!p) return date;
  const first = new Date(Date.UTC(p.year, p.month - 1 + n, 1));
  const y = first.getUTCFullYear();
  const m = first.getUTCMonth() + 1;
  return `${y}-${pad(m)}-${pad(Math.min(p.day, daysInMonth(y, m)))}`;
}

/** The most days month (1..12) ever has: 29 for February; 31 when month is unknown. */
export function maxDaysInMonth(month: number | undefined): number {
  return month ? daysInMonth(2000, month) : 31; // 2000 was a leap year
}

/** The weekday of a YYYY-MM-DD date. */
export function weekdayOf(date: string): Weekday | null {
  const p = dateParts(date);
  if (!p) return null;
  return JS_DAYS[new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay()];
}

function sortDays(days: Weekday[]): Weekday[] {
  return WEEKDAYS.filter((d) => days.includes(d));
}

function isWeekdaySet(days: Weekday[]): boolean {
  const s = sortDays(days);
  return s.length === 5 && s.join(',') === 'MO,TU,WE,TH,FR';
}

/** UNTIL for the end of a local day in tz: "20261231T225959Z" for 31 Dec in Berlin. */
export function untilStamp(date: string, tz: string): string | null {
  const p = dateParts(date);
  if (!p) return null;
  const ms = zonedToUtc({ year: p.year, month: p.month, day: p.day, hour: 23, minute: 59, second: 59 }, tz);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** The RRULE (without "RRULE:") for a spec, its parts in the server's canonical order
 * (FREQ, INTERVAL, COUNT or UNTIL, BYMONTH, BYMONTHDAY, BYDAY, BYSETPOS; docs/decisions/0043).
 * An UNTIL date that is not a date is left out. */
export function toRRule(spec: RuleSpec, tz: string): string {
  const parts = ['FREQ=' + spec.freq];
  const interval = Math.min(MAX_INTERVAL, Math.max(1, Math.floor(spec.interval) || 1));
  if (interval > 1) parts.push('INTERVAL=' + interval);
  const end = spec.end;
  if (end.kind === 'until') {
    const u = untilStamp(end.date, tz);
    if (u) parts.push('UNTIL=' + u);
  } else if (end.kind === 'count') {
    parts.push('COUNT=' + Math.min(MAX_COUNT, Math.max(1, Math.floor(end.count) || 1)));
  }
  if (spec.freq === 'WEEKLY') {
    if (spec.byDay.length) parts.push('BYDAY=' + sortDays(spec.byDay).join(','));
  } else if (spec.freq === 'MONTHLY' || spec.freq === 'YEARLY') {
    if (!leavesDay(spec)) {
      const m = spec.monthly;
      if (spec.freq === 'YEARLY') parts.push('BYMONTH=' + spec.yearMonth);
      if (m.mode === 'weekday') parts.push('BYDAY=' + m.day, 'BYSETPOS=' + m.pos);
      else parts.push('BYMONTHDAY=' + m.day);
    }
  }
  return parts.join(';');
}

/** Whether a MONTHLY or YEARLY spec takes its day (and month) from the due date. */
function leavesDay(spec: RuleSpec): boolean {
  return !!spec.implicitDay || (spec.freq === 'YEARLY' && !spec.yearMonth);
}

function isSetPos(n: number): n is SetPos {
  return n === 1 || n === 2 || n === 3 || n === 4 || n === -1;
}

/** A spec for a rule the builder can show, or null for anything else (BYHOUR, lists of
 * months or month days, "the last weekday", WKST other than MO, HOURLY...). Accepts
 * "RRULE:" in front, any letter case, the server's preset names, and both BYDAY=-1FR and
 * BYDAY=FR;BYSETPOS=-1. tz turns a UTC UNTIL into the user's local date (default UTC). */
export function parseRRule(rule: string, tz = 'UTC'): RuleSpec | null {
  let s = (rule ?? '').trim().toUpperCase();
  if (s.startsWith('RRULE:')) s = s.slice(6);
  if (SERVER_PRESETS[s]) s = SERVER_PRESETS[s];
  if (!s) return null;
  const map = new Map<string, string>();
  for (const part of s.split(';')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq < 1) return null;
    const key = part.slice(0, eq);
    if (map.has(key)) return null;
    map.set(key, part.slice(eq + 1));
  }
  const allowed = ['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'BYSETPOS', 'WKST'];
  for (const k of map.keys()) if (!allowed.includes(k)) return null;
  const freq = map.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY' && freq !== 'YEARLY') return null;
  const wkst = map.get('WKST');
  if (wkst !== undefined && wkst !== 'MO') return null;

  let interval = 1;
  if (map.has('INTERVAL')) {
    const v = map.get('INTERVAL')!;
    if (!/^\d{1,4}$/.test(v) || +v < 1 || +v > MAX_INTERVAL) return null;
    interval = +v;
  }

  let end: EndSpec = { kind: 'never' };
  if (map.has('COUNT') && map.has('UNTIL')) return null;
  if (map.has('COUNT')) {
    const v = map.get('COUNT')!;
    if (!/^\d{1,4}$/.test(v) || +v < 1 || +v > MAX_COUNT) return null;
    end = { kind: 'count', count: +v };
  } else if (map.has('UNTIL')) {
    const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(map.get('UNTIL')!);
    if (!m) return null;
    let date = `${m[1]}-${m[2]}-${m[3]}`;
    if (m[4] !== undefined && m[7] === 'Z') {
      const z = zonedParts(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]), tz);
      date = `${z.year}-${pad(z.month)}-${pad(z.day)}`;
    }
    if (!dateParts(date)) return null;
    end = { kind: 'until', date };
  }

  // BYDAY items: plain ("FR") or with an ordinal ("-1FR", "2MO").
  const byDayRaw = map.has('BYDAY') ? map.get('BYDAY')!.split(',') : [];
  const days: { pos: number; day: Weekday }[] = [];
  for (const item of byDayRaw) {
    const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(item);
    if (!m) return null;
    days.push({ pos: m[1] ? parseInt(m[1], 10) : 0, day: m[2] as Weekday });
  }
  const intList = (key: string): number[] | null => {
    if (!map.has(key)) return [];
    const out: number[] = [];
    for (const v of map.get(key)!.split(',')) {
      if (!/^[+-]?\d{1,3}$/.test(v)) return null;
      out.push(parseInt(v, 10));
    }
    return out;
  };
  const monthDays = intList('BYMONTHDAY');
  const months = intList('BYMONTH');
  const setPos = intList('BYSETPOS');
  if (!monthDays || !months || !setPos) return null;

  const spec: RuleSpec = {
    freq, interval, byDay: [], monthly: { mode: 'day', day: 1 }, end,
  };

  if (freq === 'DAILY') {
    if (days.length || monthDays.length || months.length || setPos.length) return null;
    return spec;
  }
  if (freq === 'WEEKLY') {
    if (monthDays.length || months.length || setPos.length) return null;
    if (days.some((d) => d.pos !== 0)) return null;
    spec.byDay = sortDays(days.map((d) => d.day));
    return spec;
  }

  // MONTHLY and YEARLY: one day of the month, or one (Nth | last) weekday, or nothing.
  const yearly = freq === 'YEARLY';
  if (yearly) {
    if (months.length > 1) return null;
    if (months.length === 1) {
      if (months[0] < 1 || months[0] > 12) return null;
      spec.yearMonth = months[0];
    }
  } else if (months.length) {
    return null;
  }
  const noDay = !days.length && !monthDays.length && !setPos.length;
  if (noDay) {
    if (yearly && spec.yearMonth) return null; // "every December" on the due day: not shown
    spec.implicitDay = true;
    return spec;
  }
  if (yearly && !spec.yearMonth) return null;
  if (monthDays.length) {
    if (monthDays.length !== 1 || days.length || setPos.length) return null;
    const d = monthDays[0];
    if (!(d === -1 || (d >= 1 && d <= 31))) return null;
    if (yearly && d > maxDaysInMonth(spec.yearMonth)) return null; // 30 February: never
    spec.monthly = { mode: 'day', day: d };
    return spec;
  }
  if (days.length !== 1) return null;
  const only = days[0];
  if (setPos.length) {
    if (setPos.length !== 1 || only.pos !== 0 || !isSetPos(setPos[0])) return null;
    spec.monthly = { mode: 'weekday', pos: setPos[0], day: only.day };
    return spec;
  }
  if (!isSetPos(only.pos)) return null;
  spec.monthly = { mode: 'weekday', pos: only.pos, day: only.day };
  return spec;
}

/** "Monday", "Monday and Thursday", "Monday, Wednesday and Friday". */
export function dayList(days: Weekday[]): string {
  const names = sortDays(days).map((d) => WEEKDAY_NAMES[d]);
  if (names.length <= 1) return names.join('');
  return names.slice(0, -1).join(', ') + ' and ' + names[names.length - 1];
}

function every(interval: number, unit: string): string {
  return interval > 1 ? `every ${interval} ${unit}s` : `every ${unit}`;
}

function monthlyWords(m: MonthlySpec): string {
  if (m.mode === 'day') return m.day === -1 ? 'the last day' : `day ${m.day}`;
  return `the ${ORDINALS[String(m.pos)]} ${WEEKDAY_NAMES[m.day]}`;
}

/** "31 Dec 2026" for a YYYY-MM-DD date. */
export function shortDate(date: string): string {
  const p = dateParts(date);
  return p ? `${p.day} ${MONTH_SHORT[p.month - 1]} ${p.year}` : date;
}

/** A spec in plain words; dueDate (YYYY-MM-DD) fills in what a rule leaves to it. */
export function describeSpec(spec: RuleSpec, dueTime?: string, dueDate?: string): string {
  const due = dateParts(dueDate);
  const dueDay = dueDate ? weekdayOf(dueDate) : null;
  let text: string;
  switch (spec.freq) {
    case 'DAILY':
      text = every(spec.interval, 'day');
      break;
    case 'WEEKLY': {
      const days = spec.byDay.length ? spec.byDay : dueDay ? [dueDay] : [];
      if (spec.interval === 1 && isWeekdaySet(days)) text = 'every weekday';
      else if (spec.interval === 1 && days.length) text = 'every ' + dayList(days);
      else text = every(spec.interval, 'week') + (days.length ? ' on ' + dayList(days) : '');
      break;
    }
    case 'MONTHLY':
      text = every(spec.interval, 'month');
      if (!spec.implicitDay) text += ' on ' + monthlyWords(spec.monthly);
      else if (due) text += ` on day ${due.day}`;
      break;
    case 'YEARLY': {
      text = every(spec.interval, 'year');
      const m = spec.monthly;
      if (spec.implicitDay || !spec.yearMonth) {
        if (due) text += ` on ${due.day} ${MONTH_NAMES[due.month - 1]}`;
      } else if (m.mode === 'day' && m.day > 0) {
        text += ` on ${m.day} ${MONTH_NAMES[spec.yearMonth - 1]}`;
      } else {
        text += ` on ${monthlyWords(m)} of ${MONTH_NAMES[spec.yearMonth - 1]}`;
      }
      break;
    }
  }
  const time = dueTime && /^\d{1,2}:\d{2}$/.test(dueTime) ? dueTime.padStart(5, '0') : '';
  if (spec.end.kind === 'count' && spec.end.count === 1) return 'once' + (time ? ` at ${time}` : '');
  if (time) text += ` at ${time}`;
  if (spec.end.kind === 'count') text += `, ${spec.end.count} times`;
  else if (spec.end.kind === 'until') text += `, until ${shortDate(spec.end.date)}`;
  return text;
}

/** A rule in plain English ("every 2 weeks on Monday and Thursday at 09:00, 10 times");
 * "custom rule: …" for rules parseRRule cannot read. opts.tz gives UNTIL's local date,
 * opts.dueDate fills in rules like FREQ=MONTHLY that take their day from the due date. */
export function describe(rule: string, dueTime?: string, opts?: { tz?: string; dueDate?: string }): string {
  const spec = parseRRule(rule, opts?.tz);
  if (!spec) return `custom rule: ${rule}`;
  return describeSpec(spec, dueTime, opts?.dueDate);
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The presets offered for a due date (YYYY-MM-DD, local) or for none. Ids are stable
 * across due dates, so a choice can follow the due date when it moves. */
export function presetsFor(dueLocalDate: string | null): Preset[] {
  const out: Preset[] = [
    { id: 'daily', label: 'Every day', rule: 'FREQ=DAILY' },
    { id: 'weekdays', label: 'Every weekday (Monday to Friday)', rule: WEEKDAYS_RULE },
  ];
  const p = dateParts(dueLocalDate);
  const wd = dueLocalDate ? weekdayOf(dueLocalDate) : null;
  if (!p || !wd) {
    out.push(
      { id: 'weekly', label: 'Every week', rule: 'FREQ=WEEKLY' },
      { id: 'monthly-day', label: 'Every month', rule: 'FREQ=MONTHLY' },
      { id: 'yearly', label: 'Every year', rule: 'FREQ=YEARLY' },
    );
    return out;
  }
  const last = daysInMonth(p.year, p.month);
  const nth = Math.ceil(p.day / 7);
  const day = WEEKDAY_NAMES[wd];
  out.push({ id: 'weekly', label: `Every week on ${day}`, rule: `FREQ=WEEKLY;BYDAY=${wd}` });
  out.push({ id: 'monthly-day', label: `Every month on day ${p.day}`, rule: `FREQ=MONTHLY;BYMONTHDAY=${p.day}` });
  if (p.day === last) {
    out.push({ id: 'monthly-last-day', label: 'Every month on the last day', rule: 'FREQ=MONTHLY;BYMONTHDAY=-1' });
  }
  if (nth <= 4) {
    out.push({
      id: 'monthly-nth', label: `Every month on the ${ORDINALS[String(nth)]} ${day}`,
      rule: `FREQ=MONTHLY;BYDAY=${wd};BYSETPOS=${nth}`,
    });
  }
  if (p.day + 7 > last) {
    out.push({ id: 'monthly-last', label: `Every month on the last ${day}`, rule: `FREQ=MONTHLY;BYDAY=${wd};BYSETPOS=-1` });
  }
  out.push({
    id: 'yearly', label: `Every year on ${p.day} ${MONTH_NAMES[p.month - 1]}`,
    rule: `FREQ=YEARLY;BYMONTH=${p.month};BYMONTHDAY=${p.day}`,
  });
  return out;
}

/** A starting spec for the custom builder, taken from the due date when there is one. */
export function defaultSpec(dueLocalDate: string | null, freq: Freq = 'WEEKLY'): RuleSpec {
  const p = dateParts(dueLocalDate);
  const wd = dueLocalDate ? weekdayOf(dueLocalDate) : null;
  return {
    freq,
    interval: 1,
    byDay: wd ? [wd] : ['MO'],
    monthly: { mode: 'day', day: p ? p.day : 1 },
    yearMonth: p ? p.month : 1,
    end: { kind: 'never' },
  };
}


// ---- the custom builder's changes, as pure functions of the spec --------------------------
// dueDate is the task's local due date (YYYY-MM-DD) or ''/null: the builder shows its day and
// month while the rule takes them from the due date, so choosing anything else writes them out.

function clampDay(m: MonthlySpec, month: number | undefined): MonthlySpec {
  if (m.mode === 'day' && m.day > maxDaysInMonth(month)) return { mode: 'day', day: maxDaysInMonth(month) };
  return m;
}

/** The month a YEARLY spec is shown with: its own, else the due date's, else January. */
export function shownYearMonth(spec: RuleSpec, dueDate?: string | null): number {
  return spec.yearMonth ?? dateParts(dueDate)?.month ?? 1;
}

/** The day of the month a spec is shown with (the due date's while the rule leaves it). */
export function shownMonthDay(spec: RuleSpec, dueDate?: string | null): number {
  if (!leavesDay(spec) && spec.monthly.mode === 'day') return spec.monthly.day;
  return dateParts(dueDate)?.day ?? 1;
}

/** The days the builder's day list offers: 1..31 for MONTHLY (months without the day are
 * skipped), only the days the month can have for YEARLY (29 for February). */
export function dayChoices(spec: RuleSpec, dueDate?: string | null): number[] {
  const max = spec.freq === 'YEARLY' ? maxDaysInMonth(shownYearMonth(spec, dueDate)) : 31;
  return Array.from({ length: max }, (_, i) => i + 1);
}

/** A day of the month, or an Nth weekday, chosen in the builder. */
export function withMonthly(spec: RuleSpec, m: MonthlySpec, dueDate?: string | null): RuleSpec {
  const next: RuleSpec = { ...spec, monthly: m, implicitDay: false };
  if (spec.freq === 'YEARLY') {
    next.yearMonth = shownYearMonth(spec, dueDate);
    next.monthly = clampDay(m, next.yearMonth);
  }
  return next;
}

/** A month chosen in the yearly builder; a day the month lacks becomes its last possible day. */
export function withYearMonth(spec: RuleSpec, month: number, dueDate?: string | null): RuleSpec {
  const monthly = leavesDay(spec) ? { mode: 'day' as const, day: shownMonthDay(spec, dueDate) } : spec.monthly;
  return { ...spec, yearMonth: month, implicitDay: false, monthly: clampDay(monthly, month) };
}

/** A frequency chosen in the builder. */
export function withFreq(spec: RuleSpec, freq: Freq, dueDate?: string | null): RuleSpec {
  const due = dateParts(dueDate);
  const wd = dueDate ? weekdayOf(dueDate) : null;
  const next: RuleSpec = { ...spec, freq, implicitDay: false };
  if (freq === 'WEEKLY' && !next.byDay.length) next.byDay = wd ? [wd] : ['MO'];
  if ((freq === 'MONTHLY' || freq === 'YEARLY') && leavesDay(spec)) {
    next.monthly = { mode: 'day', day: due ? due.day : 1 };
  }
  if (freq === 'YEARLY') {
    if (!next.yearMonth) next.yearMonth = due ? due.month : 1;
    next.monthly = clampDay(next.monthly, next.yearMonth);
  }
  return next;
}

/** A note for a rule on a day some months or years lack ("every month on day 31"): the
 * server skips those (docs/recurring.md). null when every period has the day. */
export function skipNote(spec: RuleSpec, dueDate?: string | null): string | null {
  if (spec.freq !== 'MONTHLY' && spec.freq !== 'YEARLY') return null;
  const implicit = leavesDay(spec);
  if (!implicit && spec.monthly.mode !== 'day') return null;
  if (implicit && !dateParts(dueDate)) return null;
  const day = shownMonthDay(spec, dueDate);
  if (spec.freq === 'MONTHLY') return day >= 29 ? `Months without a day ${day} are skipped.` : null;
  const month = implicit ? dateParts(dueDate)?.month : spec.yearMonth;
  return month === 2 && day === 29 ? 'Years without 29 February are skipped (it repeats in leap years only).' : null;
}
