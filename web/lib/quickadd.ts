// The quick-add line: "Pay rent tomorrow at 9am #bills !high" becomes a title, tags, a
// priority and a due time. Tags are #words, the priority is !high / !medium / !low (or
// !1..!3), and a due phrase is recognised at the end of the line only, so a title that merely
// contains a weekday ("Plan Monday meeting notes") stays a title. Times are in the user's
// zone. Anything not recognised stays in the title.
import type { Priority } from './types';
import { fromInputs, zonedParts } from './time';

export interface QuickAdd {
  title: string;
  tags: string[];
  priority?: Priority;
  due_at?: string; // RFC 3339
  dueText?: string; // the phrase that set it, for the preview
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const WD_SHORT: Record<string, number> = {
  sun: 0, mon: 1, tue: 2, tues: 2, wed: 3, thu: 4, thur: 4, thurs: 4, fri: 5, sat: 6,
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const PRIO: Record<string, Priority> = {
  high: 'high', h: 'high', '1': 'high', urgent: 'high',
  medium: 'medium', med: 'medium', m: 'medium', '2': 'medium',
  low: 'low', l: 'low', '3': 'low', none: 'none',
};

const pad = (n: number) => String(n).padStart(2, '0');

function weekdayIndex(w: string): number {
  const i = WEEKDAYS.indexOf(w);
  return i >= 0 ? i : (WD_SHORT[w] ?? -1);
}

function monthIndex(m: string): number {
  return MONTHS.indexOf(m.slice(0, 3));
}

const WD = '(?:sun|mon|tue|tues|wed|thu|thur|thurs|fri|sat)(?:day|nesday|rsday|urday|sday)?';
const MON = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*';
const TIME = '(?:at\\s+)?(\\d{1,2})(?::(\\d{2}))?\\s*(am|pm)?';

interface Day { y: number; m: number; d: number }

function addDays(base: Day, n: number): Day {
  const t = new Date(Date.UTC(base.y, base.m - 1, base.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** Parses a date phrase (no time) relative to today in tz; null when it is not one. */
function parseDay(phrase: string, today: Day): { day: Day; defaultHour: number } | null {
  const p = phrase.trim().replace(/^on\s+/, '');
  let m: RegExpExecArray | null;
  if (p === 'today') return { day: today, defaultHour: 9 };
  if (p === 'tonight') return { day: today, defaultHour: 20 };
  if (p === 'tomorrow' || p === 'tmr' || p === 'tmrw') return { day: addDays(today, 1), defaultHour: 9 };
  if (p === 'next week') {
    const dow = new Date(Date.UTC(today.y, today.m - 1, today.d)).getUTCDay();
    return { day: addDays(today, ((8 - dow) % 7) || 7), defaultHour: 9 };
  }
  if ((m = new RegExp(`^(next\\s+|this\\s+)?(${WD})$`).exec(p))) {
    const want = weekdayIndex(m[2]) >= 0 ? weekdayIndex(m[2]) : weekdayIndex(m[2].slice(0, 3));
    if (want < 0) return null;
    const dow = new Date(Date.UTC(today.y, today.m - 1, today.d)).getUTCDay();
    let n = (want - dow + 7) % 7;
    if (n === 0) n = 7; // "monday" on a Monday means next Monday
    return { day: addDays(today, n), defaultHour: 9 };
  }
  if ((m = /^in\s+(\d{1,3})\s+(day|days|week|weeks|month|months)$/.exec(p))) {
    const n = +m[1];
    if (m[2].startsWith('day')) return { day: addDays(today, n), defaultHour: 9 };
    if (m[2].startsWith('week')) return { day: addDays(today, 7 * n), defaultHour: 9 };
    const t = new Date(Date.UTC(today.y, today.m - 1 + n, today.d));
    return { day: { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() }, defaultHour: 9 };
  }
  if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(p))) {
    const d = { y: +m[1], m: +m[2], d: +m[3] };
    return realDay(d) ? { day: d, defaultHour: 9 } : null;
  }
  let day = -1;
  let mon = -1;
  if ((m = new RegExp(`^(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?(?:\\s+of)?\\s+(${MON})$`).exec(p))) {
    day = +m[1];
    mon = monthIndex(m[2]);
  } else if ((m = new RegExp(`^(${MON})\\s+(\\d{1,2})(?:st|nd|rd|th)?$`).exec(p))) {
    day = +m[2];
    mon = monthIndex(m[1]);
  }
  if (mon >= 0 && day >= 1 && day <= 31) {
    let y = today.y;
    if (mon + 1 < today.m || (mon + 1 === today.m && day < today.d)) y += 1; // the next such date
    const d = { y, m: mon + 1, d: day };
    return realDay(d) ? { day: d, defaultHour: 9 } : null;
  }
  return null;
}

/** False for 31 April or 29 February of a common year. */
function realDay(d: Day): boolean {
  const t = new Date(Date.UTC(d.y, d.m - 1, d.d));
  return t.getUTCFullYear() === d.y && t.getUTCMonth() === d.m - 1 && t.getUTCDate() === d.d;
}

function parseTime(h: string, min: string | undefined, ampm: string | undefined): { h: number; m: number } | null {
  let hour = +h;
  const minute = min ? +min : 0;
  if (minute > 59) return null;
  if (ampm) {
    if (hour < 1 || hour > 12) return null;
    if (ampm === 'pm' && hour !== 12) hour += 12;
    if (ampm === 'am' && hour === 12) hour = 0;
  } else if (hour > 23) {
    return null;
  }
  return { h: hour, m: minute };
}

export function parseQuickAdd(line: string, tz: string, now = Date.now()): QuickAdd {
  const tags: string[] = [];
  let priority: Priority | undefined;
  const words: string[] = [];
  for (const w of line.trim().split(/\s+/)) {
    const tag = /^#([^\s#,]{1,50})$/.exec(w);
    const prio = /^!(\w+)$/.exec(w);
    if (tag) {
      const t = tag[1].toLowerCase();
      if (!tags.includes(t) && tags.length < 20) tags.push(t);
    } else if (prio && PRIO[prio[1].toLowerCase()]) {
      priority = PRIO[prio[1].toLowerCase()];
    } else if (w) {
      words.push(w);
    }
  }
  let title = words.join(' ');
  const z = zonedParts(now, tz);
  const today: Day = { y: z.year, m: z.month, d: z.day };
  const lower = title.toLowerCase();
  const DAYP = `(today|tonight|tomorrow|tmrw?|next week|(?:on\\s+)?(?:next\\s+|this\\s+)?${WD}|in\\s+\\d{1,3}\\s+(?:days?|weeks?|months?)|(?:on\\s+)?\\d{4}-\\d{2}-\\d{2}|(?:on\\s+)?(?:the\\s+)?\\d{1,2}(?:st|nd|rd|th)?(?:\\s+of)?\\s+${MON}|(?:on\\s+)?${MON}\\s+\\d{1,2}(?:st|nd|rd|th)?)`;
  // date then optional time, or time then date, or a time alone ("at 5pm" = today, or
  // tomorrow when that time has passed) — all at the end of the line
  const forms: { re: RegExp; day: number; time: number }[] = [
    { re: new RegExp(`(?:^|\\s)${DAYP}(?:\\s+${TIME})?$`), day: 1, time: 2 },
    { re: new RegExp(`(?:^|\\s)${TIME.replace('(?:at\\s+)?', 'at\\s+')}\\s+${DAYP}$`), day: 4, time: 1 },
    { re: new RegExp(`(?:^|\\s)${TIME.replace('(?:at\\s+)?', 'at\\s+')}$`), day: 0, time: 1 },
  ];
  for (const f of forms) {
    const m = f.re.exec(lower);
    if (!m) continue;
    const rest = title.slice(0, m.index).trim();
    if (!rest) continue; // the whole line is a date: keep it as the title
    let day: Day;
    let hour: number;
    let minute = 0;
    if (f.day) {
      const d = parseDay(m[f.day], today);
      if (!d) continue;
      day = d.day;
      hour = d.defaultHour;
    } else {
      day = today;
      hour = 9;
    }
    if (m[f.time] !== undefined) {
      const t = parseTime(m[f.time], m[f.time + 1], m[f.time + 2]);
      if (!t) continue;
      if (!m[f.time + 1] && !m[f.time + 2] && !/at\s+\d/.test(m[0])) continue; // "in 3 days 5" is not a time
      hour = t.h;
      minute = t.m;
      if (!f.day && (hour < z.hour || (hour === z.hour && minute <= z.minute))) day = addDays(today, 1);
    }
    const due = fromInputs(`${day.y}-${pad(day.m)}-${pad(day.d)}`, `${pad(hour)}:${pad(minute)}`, tz);
    if (!due) continue;
    return { title: rest, tags, priority, due_at: due, dueText: title.slice(m.index).trim() };
  }
  return { title, tags, priority };
}
