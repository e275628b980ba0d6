// lib.test.mjs - the web UI's pure libraries (web/lib/time.ts, rrule.ts, quickadd.ts, chat.ts):
// wall-clock <-> instant in a zone (checked against a brute-force search, and matching the
// server's rules for DST gaps and repeats), the repeat-rule builder (round trips of the
// presets, the rule in words), the task quick add creates from the server parser's reading
// (the reading itself is the server's: tests/blackbox/assistant_parse.test.mjs, the assistant's dev
// set), and the chat panel's tool calls in words. scripts/test-browser.sh compiles the
// libraries with the project's TypeScript into TODO_WEB_LIB_JS and runs this file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.TODO_WEB_LIB_JS;
if (!dir) throw new Error('TODO_WEB_LIB_JS: the compiled web/lib (scripts/test-browser.sh sets it)');
const load = (name) => import(pathToFileURL(path.join(dir, `${name}.js`)).href);
const T = await load('time');
const R = await load('rrule');
const Q = await load('quickadd');
const C = await load('chat');

const check = (name, fn) => test(name, fn);
const BER = 'Europe/Berlin';
// local wall time in tz -> ms (brute force, independent of zonedToUtc): earliest instant
const wallMs = (tz, y, mo, d, h, mi) => {
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  for (let t = wall - 16 * 3600e3; t <= wall + 16 * 3600e3; t += 60e3) {
    const z = T.zonedParts(t, tz);
    if (z.year === y && z.month === mo && z.day === d && z.hour === h && z.minute === mi) return t;
  }
  return null;
};
const isoOf = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
const local = (tz, y, mo, d, h, mi) => isoOf(wallMs(tz, y, mo, d, h, mi));

// ---------- finding 5: zonedToUtc ----------
const z2u = (tz, y, mo, d, h, mi) => isoOf(T.zonedToUtc({ year: y, month: mo, day: d, hour: h, minute: mi, second: 0 }, tz));
check('Berlin autumn repeated 02:30 -> first (CEST)', () => assert.equal(z2u(BER, 2026, 10, 25, 2, 30), '2026-10-25T00:30:00Z'));
check('Berlin spring gap 02:30 -> 03:30 CEST', () => assert.equal(z2u(BER, 2026, 3, 29, 2, 30), '2026-03-29T01:30:00Z'));
check('New York autumn repeated 01:30 -> first (EDT)', () => assert.equal(z2u('America/New_York', 2026, 11, 1, 1, 30), '2026-11-01T05:30:00Z'));
check('New York spring gap 02:30 -> 03:30 EDT', () => assert.equal(z2u('America/New_York', 2026, 3, 8, 2, 30), '2026-03-08T07:30:00Z'));
check('Sydney autumn repeated 02:30 -> first (AEDT)', () => assert.equal(z2u('Australia/Sydney', 2026, 4, 5, 2, 30), '2026-04-04T15:30:00Z'));
check('Sydney spring gap 02:30 -> 03:30 AEDT', () => assert.equal(z2u('Australia/Sydney', 2026, 10, 4, 2, 30), '2026-10-03T16:30:00Z'));
check('Kolkata', () => assert.equal(z2u('Asia/Kolkata', 2026, 10, 25, 2, 30), '2026-10-24T21:00:00Z'));
check('Chatham repeated 03:15 (+13:45 first)', () => assert.equal(z2u('Pacific/Chatham', 2026, 4, 5, 3, 15), '2026-04-04T13:30:00Z'));
check('Lord Howe repeated 01:45 (+11 first)', () => assert.equal(z2u('Australia/Lord_Howe', 2026, 4, 5, 1, 45), '2026-04-04T14:45:00Z'));
check('Lord Howe gap 02:15 -> 02:45 (+11)', () => assert.equal(z2u('Australia/Lord_Howe', 2026, 10, 4, 2, 15), '2026-10-03T15:45:00Z'));
// exhaustive: every 15 minutes within 4 hours either side of each transition in 2026
for (const tz of ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Chatham', 'Australia/Lord_Howe', 'UTC']) {
  let transitions = 0, tested = 0, gaps = 0, repeats = 0;
  const start = Date.UTC(2026, 0, 1), end = Date.UTC(2027, 0, 1);
  for (let t = start; t < end; t += 3600e3) {
    const o1 = T.zoneOffset(t, tz), o2 = T.zoneOffset(t + 3600e3, tz);
    if (o1 === o2) continue;
    // exact transition instant
    let lo = t, hi = t + 3600e3;
    while (hi - lo > 1000) { const mid = Math.floor((lo + hi) / 2000) * 1000; if (T.zoneOffset(mid, tz) === o1) lo = mid; else hi = mid; }
    transitions++;
    const before = o1;
    for (let w = hi + before - 4 * 3600e3; w <= hi + before + 4 * 3600e3; w += 15 * 60e3) {
      const d = new Date(w);
      const [y, mo, dd, h, mi] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
      const brute = wallMs(tz, y, mo, dd, h, mi);
      // reference: the earliest instant showing this wall time; in a gap, the offset before it
      const want = brute ?? (w - before);
      if (brute === null) gaps++;
      else if (wallMs(tz, y, mo, dd, h, mi) !== null && T.zonedParts(brute + Math.abs(o2 - o1), tz).hour === h && T.zonedParts(brute + Math.abs(o2 - o1), tz).minute === mi && o2 < o1) repeats++;
      tested++;
      check(`${tz} ${y}-${mo}-${dd} ${h}:${mi}`, () => assert.equal(z2u(tz, y, mo, dd, h, mi), isoOf(want)));
    }
  }
  check(`${tz} transitions seen`, () => assert.ok(tz === 'Asia/Kolkata' || tz === 'UTC' ? transitions === 0 : transitions === 2 && gaps > 0 && repeats > 0, `${transitions} ${gaps} ${repeats}`));
  // ordinary times far from any transition round-trip
  for (const ms of [Date.UTC(2026, 0, 15, 11, 7), Date.UTC(2026, 6, 15, 23, 59), Date.UTC(2026, 11, 31, 23, 30)]) {
    const z = T.zonedParts(ms, tz);
    check(`${tz} round trip ${isoOf(ms)}`, () => assert.equal(T.zonedToUtc(z, tz), ms));
  }
}
check('fromInputs repeated hour uses first', () => assert.equal(T.fromInputs('2026-10-25', '02:30', BER), '2026-10-25T00:30:00Z'));
check('untilStamp in the repeated hour', () => assert.equal(R.untilStamp('2026-12-31', BER), '20261231T225959Z'));

// ---------- finding 6: cached label formatters, same output ----------
check('labels unchanged', () => {
  const now = Date.UTC(2026, 5, 10, 8, 20);
  const cases = [
    ['2026-06-10T07:00:00Z', 'Today 09:00'], ['2026-06-11T07:00:00Z', 'Tomorrow 09:00'], ['2026-06-09T15:00:00Z', 'Yesterday 17:00'],
    ['2026-06-13T07:00:00Z', 'Sat 13 Jun 09:00'], ['2026-07-01T07:00:00Z', '1 Jul 09:00'], ['2027-12-07T08:00:00Z', '7 Dec 2027 09:00'],
    ['2027-01-01T10:00:00Z', '1 Jan 2027 11:00'],
  ];
  for (const [iso, want] of cases) assert.equal(T.dueLabel(iso, BER, now), want);
  assert.equal(T.dueLabel('2026-12-31T22:30:00Z', 'America/New_York', Date.UTC(2026, 11, 29, 12)), 'Thu 31 Dec 17:30');
  assert.equal(T.dueLabel('2027-01-02T12:00:00Z', 'UTC', Date.UTC(2026, 11, 30, 12)), 'Sat, 2 Jan 2027 12:00');
  assert.equal(T.fullLabel('2026-12-01T08:00:00Z', BER), 'Tue, 1 Dec 2026, 09:00');
  assert.equal(T.fullLabel('2026-12-01T08:00:00Z', 'America/New_York'), 'Tue, 1 Dec 2026, 03:00');
  assert.equal(T.fullLabel('2026-12-01T08:00:00Z', BER), 'Tue, 1 Dec 2026, 09:00');
});

// ---------- finding 10: shared helpers ----------
check('pad', () => { assert.equal(T.pad(7), '07'); assert.equal(T.pad(12), '12'); });
check('durations', () => {
  assert.equal(T.durationSeconds('PT0S'), 0);
  assert.equal(T.durationSeconds('P1W'), 604800);
  assert.equal(T.durationSeconds('P1DT2H30M'), 86400 + 9000);
  assert.equal(T.durationSeconds('PT90M'), 5400);
  assert.equal(T.durationSeconds('1 hour'), null);
  assert.deepEqual(T.parseDuration('P2DT3H'), { weeks: 0, days: 2, hours: 3, minutes: 0, seconds: 0 });
  assert.equal(T.durationLabel('PT1H'), '1 hour before');
  assert.equal(T.durationLabel('P1DT2H'), '1 day 2 hours before');
  assert.equal(T.durationLabel('PT0M'), 'At due time');
  assert.equal(T.durationLabel('bogus'), 'bogus');
  assert.equal(T.durationLabel('PT90M'), '90 minutes before');
});
check('ORDINALS exported once', () => assert.equal(R.ORDINALS['-1'], 'last'));

// ---------- rrule: presets and rules round-trip exactly ----------
for (const rule of ['FREQ=DAILY', 'FREQ=WEEKLY', 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', 'FREQ=WEEKLY;BYDAY=TU',
  'FREQ=MONTHLY', 'FREQ=MONTHLY;BYMONTHDAY=1', 'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1', 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1',
  'FREQ=YEARLY', 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=1', 'FREQ=MONTHLY;BYMONTHDAY=-1', 'FREQ=MONTHLY;BYMONTHDAY=31',
  'FREQ=WEEKLY;INTERVAL=2;COUNT=5;BYDAY=MO,TH', 'FREQ=DAILY;INTERVAL=2;UNTIL=20261231T225959Z',
  'FREQ=MONTHLY;INTERVAL=2;COUNT=12;BYDAY=FR;BYSETPOS=-1', 'FREQ=YEARLY;INTERVAL=2;UNTIL=20301231T225959Z;BYMONTH=12;BYMONTHDAY=20',
  'FREQ=YEARLY;BYMONTH=12;BYDAY=MO;BYSETPOS=1', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29', 'FREQ=DAILY;COUNT=1']) {
  check(`round trip ${rule}`, () => {
    const spec = R.parseRRule(rule, BER);
    assert.ok(spec, 'parses');
    assert.equal(R.toRRule(spec, BER), rule);
    assert.deepEqual(R.parseRRule(R.toRRule(spec, BER), BER), spec);
  });
}
check('-1FR is the same spec as BYDAY=FR;BYSETPOS=-1', () => {
  assert.deepEqual(R.parseRRule('FREQ=MONTHLY;BYDAY=-1FR'), R.parseRRule('FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1'));
  assert.equal(R.describe('FREQ=MONTHLY;BYDAY=-1FR', '18:00'), 'every month on the last Friday at 18:00');
});
check('server preset names', () => {
  assert.equal(R.toRRule(R.parseRRule('weekdays'), 'UTC'), 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR');
  assert.equal(R.toRRule(R.parseRRule('yearly'), 'UTC'), 'FREQ=YEARLY');
});
check('presetsFor a due date', () => {
  const p = R.presetsFor('2026-12-01');
  assert.deepEqual(p.map((x) => x.rule), ['FREQ=DAILY', 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', 'FREQ=WEEKLY;BYDAY=TU',
    'FREQ=MONTHLY;BYMONTHDAY=1', 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1', 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=1']);
  for (const x of [...p, ...R.presetsFor(null), ...R.presetsFor('2026-12-29'), ...R.presetsFor('2026-01-31')]) {
    assert.equal(R.toRRule(R.parseRRule(x.rule), 'UTC'), x.rule, x.rule);
  }
});
check('describe (existing)', () => {
  assert.equal(R.describe('FREQ=WEEKLY;INTERVAL=2;COUNT=5;BYDAY=MO,TH', '09:00'), 'every 2 weeks on Monday and Thursday at 09:00, 5 times');
  assert.equal(R.describe('FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1', '09:00'), 'every month on the last Tuesday at 09:00');
  assert.equal(R.describe('FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', '9:00'), 'every weekday at 09:00');
  assert.equal(R.describe('FREQ=YEARLY', '09:00', { dueDate: '2026-12-01' }), 'every year on 1 December at 09:00');
  assert.equal(R.describe('FREQ=DAILY;UNTIL=20261231T225959Z', '09:00', { tz: BER }), 'every day at 09:00, until 31 Dec 2026');
  assert.equal(R.describe('FREQ=HOURLY'), 'custom rule: FREQ=HOURLY');
});

// ---------- finding 9: COUNT=1 ----------
check('COUNT=1 is "once"', () => {
  assert.equal(R.describe('FREQ=DAILY;COUNT=1', '09:00'), 'once at 09:00');
  assert.equal(R.describe('FREQ=WEEKLY;COUNT=1;BYDAY=MO'), 'once');
  assert.equal(R.describe('FREQ=DAILY;COUNT=2', '09:00'), 'every day at 09:00, 2 times');
});

// ---------- finding 7: the yearly builder writes its month and day ----------
const DUE = '2026-12-01'; // Tuesday 1 December
check('yearly: a day chosen after the bare preset', () => {
  const bare = R.parseRRule('FREQ=YEARLY');
  assert.equal(R.toRRule(bare, 'UTC'), 'FREQ=YEARLY');
  assert.equal(R.shownYearMonth(bare, DUE), 12);
  assert.equal(R.shownMonthDay(bare, DUE), 1);
  const day20 = R.withMonthly(bare, { mode: 'day', day: 20 }, DUE);
  assert.equal(R.toRRule(day20, 'UTC'), 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=20');
  const back = R.parseRRule(R.toRRule(day20, 'UTC'));
  assert.equal(R.toRRule(back, 'UTC'), 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=20');
  assert.equal(back.yearMonth, 12); assert.deepEqual(back.monthly, { mode: 'day', day: 20 });
  assert.equal(R.describe(R.toRRule(day20, 'UTC'), '09:00'), 'every year on 20 December at 09:00');
  const firstMon = R.withMonthly(bare, { mode: 'weekday', pos: 1, day: 'MO' }, DUE);
  assert.equal(R.toRRule(firstMon, 'UTC'), 'FREQ=YEARLY;BYMONTH=12;BYDAY=MO;BYSETPOS=1');
  assert.deepEqual(R.parseRRule('FREQ=YEARLY;BYMONTH=12;BYDAY=MO;BYSETPOS=1').monthly, { mode: 'weekday', pos: 1, day: 'MO' });
  assert.deepEqual(R.parseRRule('FREQ=YEARLY;BYMONTH=12;BYDAY=1MO').monthly, { mode: 'weekday', pos: 1, day: 'MO' });
  assert.equal(R.describe('FREQ=YEARLY;BYMONTH=12;BYDAY=MO;BYSETPOS=1', '09:00'), 'every year on the first Monday of December at 09:00');
  const lastDay = R.withMonthly(bare, { mode: 'day', day: -1 }, DUE);
  assert.equal(R.toRRule(lastDay, 'UTC'), 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1');
  // no due date: the shown month is January
  assert.equal(R.toRRule(R.withMonthly(R.parseRRule('FREQ=YEARLY'), { mode: 'day', day: 5 }, ''), 'UTC'), 'FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=5');
});
check('yearly: the month chosen', () => {
  const bare = R.parseRRule('FREQ=YEARLY');
  assert.equal(R.toRRule(R.withYearMonth(bare, 12, DUE), 'UTC'), 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=1');
  assert.equal(R.toRRule(R.withYearMonth(bare, 3, DUE), 'UTC'), 'FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1');
  const wk = R.parseRRule('FREQ=YEARLY;BYMONTH=12;BYDAY=MO;BYSETPOS=1');
  assert.equal(R.toRRule(R.withYearMonth(wk, 5, DUE), 'UTC'), 'FREQ=YEARLY;BYMONTH=5;BYDAY=MO;BYSETPOS=1');
});
check('frequency changes', () => {
  const weekly = R.defaultSpec(DUE);
  assert.equal(R.toRRule(weekly, 'UTC'), 'FREQ=WEEKLY;BYDAY=TU');
  assert.equal(R.toRRule(R.withFreq(weekly, 'YEARLY', DUE), 'UTC'), 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=1');
  assert.equal(R.toRRule(R.withFreq(weekly, 'MONTHLY', DUE), 'UTC'), 'FREQ=MONTHLY;BYMONTHDAY=1');
  assert.equal(R.toRRule(R.withFreq(R.parseRRule('FREQ=MONTHLY'), 'YEARLY', '2026-01-31'), 'UTC'), 'FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=31');
  assert.equal(R.toRRule(R.withFreq(R.parseRRule('FREQ=YEARLY'), 'MONTHLY', DUE), 'UTC'), 'FREQ=MONTHLY;BYMONTHDAY=1');
  // monthly on the 31st, then yearly with the due date in February: 29
  const m31 = R.parseRRule('FREQ=MONTHLY;BYMONTHDAY=31');
  assert.equal(R.toRRule(R.withFreq({ ...m31, yearMonth: undefined }, 'YEARLY', '2026-02-10'), 'UTC'), 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29');
});

// ---------- finding 8: no 30/31 February; addMonths; skipped months ----------
check('day choices', () => {
  const y = (m) => R.dayChoices({ ...R.defaultSpec(DUE, 'YEARLY'), yearMonth: m }, DUE);
  assert.equal(y(2).length, 29); assert.equal(y(4).length, 30); assert.equal(y(12).length, 31);
  assert.equal(R.dayChoices(R.defaultSpec(DUE, 'MONTHLY'), DUE).length, 31);
  assert.equal(R.dayChoices(R.parseRRule('FREQ=YEARLY'), '2026-02-10').length, 29); // the due month is shown
});
check('switching to February clamps the day', () => {
  const dec31 = R.parseRRule('FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31');
  assert.equal(R.toRRule(R.withYearMonth(dec31, 2, DUE), 'UTC'), 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29');
  assert.equal(R.toRRule(R.withYearMonth(dec31, 4, DUE), 'UTC'), 'FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=30');
  const last = R.parseRRule('FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1');
  assert.equal(R.toRRule(R.withYearMonth(last, 2, DUE), 'UTC'), 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1');
  const feb = R.parseRRule('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=1');
  assert.equal(R.toRRule(R.withMonthly(feb, { mode: 'day', day: 30 }, DUE), 'UTC'), 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29');
  assert.equal(R.parseRRule('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30'), null);
  assert.equal(R.parseRRule('FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31'), null);
});
check('addMonths clamps', () => {
  assert.equal(R.addMonths('2026-01-31', 1), '2026-02-28');
  assert.equal(R.addMonths('2028-01-31', 1), '2028-02-29');
  assert.equal(R.addMonths('2026-11-30', 3), '2027-02-28');
  assert.equal(R.addMonths('2026-12-01', 3), '2027-03-01');
  assert.equal(R.addMonths('2026-05-31', -1), '2026-04-30');
  assert.equal(R.addMonths('nope', 3), 'nope');
});
check('skip notes', () => {
  assert.equal(R.skipNote(R.parseRRule('FREQ=MONTHLY;BYMONTHDAY=31'), DUE), 'Months without a day 31 are skipped.');
  assert.equal(R.skipNote(R.parseRRule('FREQ=MONTHLY;BYMONTHDAY=29'), DUE), 'Months without a day 29 are skipped.');
  assert.equal(R.skipNote(R.parseRRule('FREQ=MONTHLY;BYMONTHDAY=28'), DUE), null);
  assert.equal(R.skipNote(R.parseRRule('FREQ=MONTHLY;BYMONTHDAY=-1'), DUE), null);
  assert.equal(R.skipNote(R.parseRRule('FREQ=MONTHLY'), '2026-01-31'), 'Months without a day 31 are skipped.');
  assert.equal(R.skipNote(R.parseRRule('FREQ=MONTHLY'), DUE), null);
  assert.equal(R.skipNote(R.parseRRule('FREQ=MONTHLY'), ''), null);
  assert.equal(R.skipNote(R.parseRRule('FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1'), DUE), null);
  assert.match(R.skipNote(R.parseRRule('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29'), DUE), /leap years/);
  assert.match(R.skipNote(R.parseRRule('FREQ=YEARLY'), '2028-02-29'), /leap years/);
  assert.equal(R.skipNote(R.parseRRule('FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31'), DUE), null);
  assert.equal(R.skipNote(R.parseRRule('FREQ=DAILY'), DUE), null);
});

// ---------- quick add: the server parser's reading -> the task to create ----------
const reading = (o) => ({ intent: 'add', title: 'Pay rent', due: null, all_day: false, rrule: null, from_completion: false, ...o });
check('quick add sends every field the parser read', () => {
  const q = Q.quickAddOf('x', reading({ due: '2026-12-01T09:00:00-05:00', all_day: true, rrule: 'FREQ=MONTHLY;BYMONTHDAY=1',
    from_completion: true, priority: 'high', tags: ['bills'], reminders: [{ before: 'PT30M' }, { at: '2026-11-30T08:00:00-05:00' }],
    description: 'by transfer' }));
  assert.deepEqual(Q.taskInputOf(q), { title: 'Pay rent', description: 'by transfer', priority: 'high', tags: ['bills'],
    due_at: '2026-12-01T09:00:00-05:00', recurrence: { rule: 'FREQ=MONTHLY;BYMONTHDAY=1', from: 'completion' },
    reminders: [{ before: 'PT30M' }, { at: '2026-11-30T08:00:00-05:00' }] });
});
check('quick add of a plain title sends the title alone', () => {
  assert.deepEqual(Q.taskInputOf(Q.quickAddOf('Plan Monday meeting notes', reading({ title: 'Plan Monday meeting notes' }))),
    { title: 'Plan Monday meeting notes' });
});
check('a repeat counts from due unless the parser read "after I finish it"', () => {
  assert.deepEqual(Q.taskInputOf(Q.quickAddOf('x', reading({ due: '2026-12-01T09:00:00Z', rrule: 'FREQ=DAILY' }))).recurrence,
    { rule: 'FREQ=DAILY', from: 'due' });
});
check('a reading without a title has an empty title (Add stays off)', () => {
  assert.equal(Q.quickAddOf('#home !high', reading({ title: null, tags: ['home'] })).title, '');
  assert.equal(Q.quickAddOf('   ', reading({ title: '  ' })).title, '');
});

// ---------- the chat panel: tool calls as what changed ----------
const call = (tool, result, args = {}) => ({ tool, arguments: args, result });
check('each tool call in words, with the task to link to', () => {
  assert.deepEqual(C.changeOf(call('add_task', { task_id: 12, status: 'created', title: 'Pay rent' })),
    { text: 'Added', title: 'Pay rent', taskId: 12, detail: undefined });
  assert.deepEqual(C.changeOf(call('complete_task', { task_id: 12, status: 'completed', title: 'Pay rent' })),
    { text: 'Completed', title: 'Pay rent', taskId: 12, detail: undefined });
  assert.deepEqual(C.changeOf(call('reopen_task', { task_id: 12, status: 'pending', title: 'Pay rent' })),
    { text: 'Reopened', title: 'Pay rent', taskId: 12, detail: undefined });
  assert.deepEqual(C.changeOf(call('delete_task', { task_id: 12, status: 'deleted', title: 'Pay rent' })),
    { text: 'Deleted', title: 'Pay rent', taskId: undefined, detail: undefined }, 'a deleted task has no link');
  assert.deepEqual(C.changeOf(call('update_task', { task_id: 3, status: 'updated', title: 'Buy milk' },
    { task_id: 3, user_id: 'u', priority: 'high', due_at: null })),
  { text: 'Updated', title: 'Buy milk', taskId: 3, detail: 'priority high, due date cleared' });
  assert.deepEqual(C.changeOf(call('complete_task', { task_id: 12 })).title, '#12', 'no title: the id');
  assert.deepEqual(C.changeOf(call('list_tasks', { tasks: [{}, {}], next_cursor: null })), { text: 'Listed', detail: '2 tasks' });
  assert.deepEqual(C.changeOf(call('list_tags', { tags: [{}] })), { text: 'Listed', detail: '1 tag' });
  assert.deepEqual(C.changeOf(call('complete_task', { error: { code: 'not_found', message: 'no such task' } })),
    { text: 'Could not complete', detail: 'no such task' });
});
check('the list reloads only after a tool that changed tasks', () => {
  assert.equal(C.changesTasks([]), false);
  assert.equal(C.changesTasks(null), false);
  assert.equal(C.changesTasks([call('list_tasks', { tasks: [] })]), false);
  assert.equal(C.changesTasks([call('add_task', { error: { code: 'validation_failed' } })]), false);
  assert.equal(C.changesTasks([call('list_tasks', { tasks: [] }), call('update_task', { task_id: 1 })]), true);
});
