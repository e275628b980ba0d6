// The quick-add line: "Pay rent tomorrow at 9am #bills !high" becomes a title, tags, a
// priority and a due time. Tags are #words, the priority is !high / !medium / !low (or
// !1..!3), and a due phrase is recognised at the end of the line only, so a title that merely
// contains a weekday ("Plan Monday meeting notes") stays a title. Times are in the user's
// zone. Anything not recognised stays in the title.
import type { Priority } from './types';
import { fromInputs, pad, zonedParts } from './time';

export interface QuickAdd {
  title: string;
  tags: string[];
  priority?: Priority;
  due_at?: string; // RFC 3339
  dueText?: string; // the phrase that set it, for the preview
}

// exact spellings only, so "12 marbles" is not 12 March and "frinesday" not Friday
const WD_INDEX: Record<string, number> = {
  sun: 0, sunday: 0, mon: 1, monday: 1, tue: 2, tues: 2, tuesday: 2, wed: 3, weds: 3, wednesday: 3,
  thu: 4, thur: 4, thurs: 4, thursday: 4, fri: 5, friday: 5, sat: 6, saturday: 6,
};
const MONTH_INDEX: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10,
  nov: 11, november: 11, dec: 12, december: 12,
};
const PRIO: Record<string, Priority> = {
  high: 'high', h: 'high', '1': 'high', urgent: 'high',
  medium: 'medium', med: 'medium', m: 'medium', '2': 'medium',
  low: 'low', l: 'low', '3': 'low', none: 'none',
};

// longest spellings first; \b keeps "mar" from matching the start of "marbles"
const alternation = (words: string[]) => [...words].sort((a, b) => b.length - a.length).join('|');
const WD = `(?:${alternation(Object.keys(WD_INDEX))})\\b`;
// short spellings that are also English words ("Enjoy the sun", "I sat", "wed"): a due day
// only after "on", "next" or "this"
const AMBIGUOUS_WD = ['sun', 'sat', 'wed'];
const WD_PLAIN = `(?:${alternation(Object.keys(WD_INDEX).filter((w) => !AMBIGUOUS_WD.includes(w)))})\\b`;
const MON = `(?:${alternation(Object.keys(MONTH_INDEX))})\\b`;
const TIME = '(\\d{1,2})(?::(\\d{2}))?\\s*(am|pm)?';
const DAYP = `(today|tonight|tomorrow|tmrw?|next week|(?:on\\s+)?(?:next\\s+|this\\s+)?${WD_PLAIN}|(?:on|next|this)\\s+${WD}|in\\s+\\d{1,3}\\s+(?:days?|weeks?|months?)|(?:on\\s+)?\\d{4}-\\d{2}-\\d{2}|(?:on\\s+)?(?:the\\s+)?\\d{1,2}(?:st|nd|rd|th)?(?:\\s+of)?\\s+${MON}|(?:on\\s+)?${MON}\\s+\\d{1,2}(?:st|nd|rd|th)?)`;

// The due phrase at the end of the line, whole: a date with an optional time ("tomorrow at
// 9am", "friday 17:00"), a time then a date ("at 3pm tomorrow"), or a time alone ("at 5pm":
// today, or tomorrow when that time has passed). Groups: [date, hour, minute, am/pm, "at"].
const FORMS: { re: RegExp; day: number; time: number; at: number }[] = [
  { re: new RegExp(`^${DAYP}(?:\\s+(at\\s+)?${TIME})?$`), day: 1, at: 2, time: 3 },
  { re: new RegExp(`^(at\\s+)${TIME}\\s+${DAYP}$`), day: 5, at: 1, time: 2 },
  { re: new RegExp(`^(at\\s+)${TIME}$`), day: 0, at: 1, time: 2 },
];

interface Day { y: number; m: number; d: number }

function addDays(base: Day, n: number): Day {
  const t = new Date(Date.UTC(base.y, base.m - 1, base.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function sameDay(a: Day, b: Day): boolean {
  return a.y === b.y && a.m === b.m && a.d === b.d;
}

/** Parses a date phrase (no time) relative to today in tz; null when it is not one. */
function parseDay(phrase: string, today: Day): { day: Day; defaultHour: number; tonight?: boolean } | null {
  const p = phrase.trim().replace(/^on\s+/, '');
  let m: RegExpExecArray | null;
  if (p === 'today') return { day: today, defaultHour: 9 };
  if (p === 'tonight') return { day: today, defaultHour: 20, tonight: true };
  if (p === 'tomorrow' || p === 'tmr' || p === 'tmrw') return { day: addDays(today, 1), defaultHour: 9 };
  const dow = new Date(Date.UTC(today.y, today.m - 1, today.d)).getUTCDay();
  if (p === 'next week') return { day: addDays(today, ((8 - dow) % 7) || 7), defaultHour: 9 };
  if ((m = new RegExp(`^(?:(next|this)\\s+)?(${WD})$`).exec(p))) {
    const want = WD_INDEX[m[2]];
    let n = (want - dow + 7) % 7;
    // "this monday" on a Monday is today; "monday" and "next monday" then mean in 7 days
    if (n === 0 && m[1] !== 'this') n = 7;
    return { day: addDays(today, n), defaultHour: 9 };
  }
  if ((m = /^in\s+(\d{1,3})\s+(day|days|week|weeks|month|months)$/.exec(p))) {
    const n = +m[1];
    if (m[2].startsWith('day')) return { day: addDays(today, n), defaultHour: 9 };
    if (m[2].startsWith('week')) return { day: addDays(today, 7 * n), defaultHour: 9 };
    // 31 January + 1 month = 28 (or 29) February: the last day of a shorter month
    const t = new Date(Date.UTC(today.y, today.m - 1 + n, 1));
    const y = t.getUTCFullYear();
    const mo = t.getUTCMonth() + 1;
    return { day: { y, m: mo, d: Math.min(today.d, daysIn(y, mo)) }, defaultHour: 9 };
  }
  if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(p))) {
    const d = { y: +m[1], m: +m[2], d: +m[3] };
    return realDay(d) ? { day: d, defaultHour: 9 } : null;
  }
  let day = -1;
  let mon = -1;
  if ((m = new RegExp(`^(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?(?:\\s+of)?\\s+(${MON})$`).exec(p))) {
    day = +m[1];
    mon = MONTH_INDEX[m[2]];
  } else if ((m = new RegExp(`^(${MON})\\s+(\\d{1,2})(?:st|nd|rd|th)?$`).exec(p))) {
    day = +m[2];
    mon = MONTH_INDEX[m[1]];
  }
  if (mon >= 1 && day >= 1 && day <= 31) {
    let y = today.y;
    if (mon < today.m || (mon === today.m && day < today.d)) y += 1; // the next such date
    const d = { y, m: mon, d: day };
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

/** The due day and time of a whole due phrase (lower case), or null when it is not one. */
function parseDue(phrase: string, today: Day, now: { hour: number; minute: number }): { day: Day; hour: number; minute: number } | null {
  for (const f of FORMS) {
    const m = f.re.exec(phrase);
    if (!m) continue;
    let day = today;
    let hour = 9;
    let minute = 0;
    let tonight = false;
    if (f.day) {
      const d = parseDay(m[f.day], today);
      if (!d) continue;
      day = d.day;
      hour = d.defaultHour;
      tonight = !!d.tonight;
    }
    if (m[f.time] !== undefined) {
      const [h, min, ampm] = [m[f.time], m[f.time + 1], m[f.time + 2]];
      if (!min && !ampm && !m[f.at]) continue; // "in 3 days 5" is not a time
      const t = parseTime(h, min, ampm);
      if (!t) continue;
      hour = t.h;
      minute = t.m;
      if (tonight && !ampm && hour >= 1 && hour <= 11) hour += 12; // "tonight at 7" is 19:00
      if (!f.day && (hour < now.hour || (hour === now.hour && minute <= now.minute))) day = addDays(today, 1);
    } else if (sameDay(day, today) && hour <= now.hour) {
      // a day without a time whose default hour has come already ("call mom today" at
      // 15:20): the next full hour, so the new task is not overdue at once; 23:59 late at night
      if (now.hour >= 23) {
        hour = 23;
        minute = 59;
      } else {
        hour = now.hour + 1;
      }
    }
    return { day, hour, minute };
  }
  return null;
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
  const title = words.join(' ');
  const z = zonedParts(now, tz);
  const today: Day = { y: z.year, m: z.month, d: z.day };
  // the longest due phrase that ends the line wins ("at 3pm tomorrow", not "tomorrow"); the
  // first word always stays, so a line that is only a date keeps it as the title
  for (let i = 1; i < words.length; i++) {
    const phrase = words.slice(i).join(' ');
    const due = parseDue(phrase.toLowerCase(), today, z);
    if (!due) continue;
    const at = fromInputs(`${due.day.y}-${pad(due.day.m)}-${pad(due.day.d)}`, `${pad(due.hour)}:${pad(due.minute)}`, tz);
    if (!at) continue;
    return { title: words.slice(0, i).join(' '), tags, priority, due_at: at, dueText: phrase };
  }
  return { title, tags, priority };
}
