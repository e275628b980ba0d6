'use client';
// The editor's "Repeat" field: None, presets for the due date, or a custom rule builder
// (frequency and interval, weekdays, day of the month, how the series ends), plus "repeat
// from due date / completion date" and the rule in plain words. A rule the builder cannot
// show (BYHOUR, several months...) is kept untouched as "custom" unless replaced.
import { useEffect, useId, useRef, useState } from 'react';
import {
  MAX_COUNT, MAX_INTERVAL, MONTH_NAMES, ORDINALS, SET_POSITIONS, WEEKDAYS, WEEKDAY_NAMES, addMonths, capitalise,
  dateParts, dayChoices, defaultSpec, describe, parseRRule, presetsFor, shownMonthDay, shownYearMonth, skipNote,
  toRRule, weekdayOf, withFreq, withMonthly, withYearMonth,
  type Freq, type MonthlySpec, type RuleSpec, type SetPos, type Weekday,
} from '@/lib/rrule';
import { todayInputs } from '@/lib/time';

export interface RecurrenceValue {
  rule: string;
  from: 'due' | 'completion';
}

interface Props {
  value: RecurrenceValue | null;
  onChange: (v: RecurrenceValue | null) => void;
  dueDate: string; // YYYY-MM-DD in the user's zone, or ''
  dueTime: string; // HH:MM, or ''
  tz: string;
  error?: string;
  serverText?: string; // the server's words for the saved rule, while it is unchanged
  id?: string; // id of the "Repeat" select (for focusing it)
}

const UNITS: Record<Freq, string> = { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month', YEARLY: 'year' };
// presets whose rule does not depend on the due date
const FIXED_PRESETS = ['daily', 'weekdays'];

export default function RecurrenceField({ value, onChange, dueDate, dueTime, tz, error, serverText, id }: Props) {
  const uid = useId();
  const selectId = id ?? `${uid}-repeat`;
  const previewId = `${uid}-preview`;
  const errorId = `${uid}-error`;
  const fromErrorId = `${uid}-from-error`;
  const hintId = `${uid}-hint`;

  const initialSpec = () => (value ? parseRRule(value.rule, tz) : null);
  const [spec, setSpec] = useState<RuleSpec>(() => initialSpec() ?? defaultSpec(dueDate || null));
  const [customOpen, setCustomOpen] = useState<boolean>(() => {
    if (!value) return false;
    return !!parseRRule(value.rule, tz) && !presetsFor(dueDate || null).some((p) => p.rule === value.rule);
  });
  // the first rule seen that the builder cannot show, so the user can go back to it
  const [rawRule, setRawRule] = useState<string | null>(() => (value && !parseRRule(value.rule, tz) ? value.rule : null));
  const [intervalText, setIntervalText] = useState(String(spec.interval));
  const [countText, setCountText] = useState(spec.end.kind === 'count' ? String(spec.end.count) : '10');
  const [untilText, setUntilText] = useState(spec.end.kind === 'until' ? spec.end.date : '');

  const emitted = useRef<string | null>(value?.rule ?? null);
  const emit = (v: RecurrenceValue | null) => {
    emitted.current = v?.rule ?? null;
    onChange(v);
  };

  // the value changed from outside (the form was reset): show it
  const rule = value?.rule ?? null;
  useEffect(() => {
    if (rule === emitted.current) return;
    emitted.current = rule;
    const parsed = rule ? parseRRule(rule, tz) : null;
    if (rule && !parsed) setRawRule(rule);
    if (parsed) {
      setSpec(parsed);
      setIntervalText(String(parsed.interval));
      if (parsed.end.kind === 'count') setCountText(String(parsed.end.count));
      if (parsed.end.kind === 'until') setUntilText(parsed.end.date);
    }
    setCustomOpen(!!rule && !!parsed && !presetsFor(dueDate || null).some((p) => p.rule === rule));
  }, [rule]);

  // a preset taken from the due date follows the due date when it moves
  const prevDue = useRef(dueDate);
  useEffect(() => {
    const before = prevDue.current;
    prevDue.current = dueDate;
    if (before === dueDate || !value || customOpen) return;
    const old = presetsFor(before || null).find((p) => p.rule === value.rule);
    if (!old || FIXED_PRESETS.includes(old.id)) return;
    const next = presetsFor(dueDate || null).find((p) => p.id === old.id);
    if (next && next.rule !== value.rule) emit({ rule: next.rule, from: value.from });
  }, [dueDate]);

  const presets = presetsFor(dueDate || null);
  const parsed = value ? parseRRule(value.rule, tz) : null;
  let selected: string;
  if (!value) selected = 'none';
  else if (customOpen) selected = 'custom';
  else {
    const p = presets.find((x) => x.rule === value.rule);
    selected = p ? p.id : parsed ? 'custom' : 'raw';
  }
  const showBuilder = selected === 'custom' && !!value;
  const defaultFrom: RecurrenceValue['from'] = dueDate ? 'due' : 'completion';
  const from = value?.from ?? defaultFrom;

  const onSelect = (choice: string) => {
    if (choice === 'none') {
      setCustomOpen(false);
      emit(null);
    } else if (choice === 'raw') {
      setCustomOpen(false);
      if (rawRule) emit({ rule: rawRule, from });
    } else if (choice === 'custom') {
      const start = parsed ?? defaultSpec(dueDate || null);
      setSpec(start);
      setIntervalText(String(start.interval));
      setCustomOpen(true);
      emit({ rule: toRRule(start, tz), from });
    } else {
      const p = presets.find((x) => x.id === choice);
      if (!p) return;
      setCustomOpen(false);
      emit({ rule: p.rule, from });
    }
  };

  const update = (next: RuleSpec) => {
    setSpec(next);
    emit({ rule: toRRule(next, tz), from });
  };

  const dueWd = dueDate ? weekdayOf(dueDate) : null;
  const due = dateParts(dueDate);

  const setFreq = (freq: Freq) => update(withFreq(spec, freq, dueDate));

  const toggleDay = (d: Weekday) => {
    const byDay = spec.byDay.includes(d) ? spec.byDay.filter((x) => x !== d) : [...spec.byDay, d];
    update({ ...spec, byDay });
  };

  const setMonthly = (m: MonthlySpec) => update(withMonthly(spec, m, dueDate));

  const intervalN = Number(intervalText);
  const intervalBad = !/^\d+$/.test(intervalText) || intervalN < 1 || intervalN > MAX_INTERVAL;
  const countN = Number(countText);
  const countBad = spec.end.kind === 'count' && (!/^\d+$/.test(countText) || countN < 1 || countN > MAX_COUNT);
  const untilBad = spec.end.kind === 'until' && !dateParts(untilText);
  const fromBad = !!value && from === 'due' && !dueDate;
  const showFromErr = fromBad && !error; // the editor's own message replaces ours

  // the preview: the server's words for the saved rule, else ours
  let preview: string;
  if (!value) preview = 'Does not repeat.';
  else {
    const words = serverText || describe(value.rule, dueDate ? (dueTime || '09:00') : undefined, { tz, dueDate });
    preview = `Repeats ${words.startsWith('custom rule') ? `by the ${words}` : words}.`;
    if (from === 'completion') preview += ' The next one is counted from the day you complete this one.';
  }

  // "every month on day 31": the months without that day are skipped (docs/recurring.md)
  const skipped = parsed ? skipNote(parsed, dueDate) : null;
  const skipId = `${uid}-skip`;

  const describedBy = [previewId, skipped ? skipId : '', selected === 'raw' ? hintId : '', error ? errorId : '']
    .filter(Boolean).join(' ');
  const name = `${uid}-r`;
  const monthly = spec.monthly;
  const monthlyDayValue = shownMonthDay(spec, dueDate);
  const weekdayPos: SetPos = monthly.mode === 'weekday' ? monthly.pos : 1;
  const weekdayDay: Weekday = monthly.mode === 'weekday' ? monthly.day : dueWd ?? 'MO';
  const monthlyMode = spec.implicitDay ? 'day' : monthly.mode;

  return (
    <div className="field">
      <label htmlFor={selectId}>Repeat</label>
      <select id={selectId} className="select" value={selected} onChange={(e) => onSelect(e.target.value)}
        aria-describedby={describedBy} aria-invalid={error ? true : undefined}>
        <option value="none">Does not repeat</option>
        {presets.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
        {rawRule && <option value="raw">Custom rule (kept as it is)</option>}
        <option value="custom">Custom…</option>
      </select>
      {selected === 'raw' && (
        <p id={hintId} className="hint">
          This rule was made elsewhere and cannot be edited here: <code>{value?.rule}</code>. It is kept
          unless you choose another option.
        </p>
      )}

      {showBuilder && (
        <fieldset className="recur-builder">
          <legend>Custom repeat</legend>
          <div className="inline-controls">
            <label htmlFor={`${uid}-interval`}>Every</label>
            <input id={`${uid}-interval`} className="input input-narrow" type="number" min={1} max={MAX_INTERVAL}
              inputMode="numeric" value={intervalText} aria-invalid={intervalBad || undefined}
              aria-describedby={intervalBad ? `${uid}-interval-err` : undefined}
              onChange={(e) => {
                setIntervalText(e.target.value);
                const n = Number(e.target.value);
                if (/^\d+$/.test(e.target.value) && n >= 1 && n <= MAX_INTERVAL) update({ ...spec, interval: n });
              }} />
            <label htmlFor={`${uid}-freq`} className="sr-only">Frequency</label>
            <select id={`${uid}-freq`} className="select" value={spec.freq}
              onChange={(e) => setFreq(e.target.value as Freq)}>
              {(Object.keys(UNITS) as Freq[]).map((f) => (
                <option key={f} value={f}>{UNITS[f]}{intervalN === 1 ? '' : 's'}</option>
              ))}
            </select>
          </div>
          {intervalBad && (
            <p id={`${uid}-interval-err`} className="field-error">Enter a whole number from 1 to {MAX_INTERVAL}.</p>
          )}

          {spec.freq === 'WEEKLY' && (
            <div className="recur-row">
              <span id={`${uid}-days`} className="label">On</span>
              <div role="group" aria-labelledby={`${uid}-days`} className="inline-controls">
                {WEEKDAYS.map((d) => (
                  <button key={d} type="button" className="chip" aria-pressed={spec.byDay.includes(d)}
                    aria-label={WEEKDAY_NAMES[d]} onClick={() => toggleDay(d)}>
                    {WEEKDAY_NAMES[d].slice(0, 3)}
                  </button>
                ))}
              </div>
              {!spec.byDay.length && (
                <p className="hint">No day chosen: it repeats on the due date’s weekday
                  {dueWd ? ` (${WEEKDAY_NAMES[dueWd]})` : ''}.</p>
              )}
            </div>
          )}

          {spec.freq === 'YEARLY' && (
            <div className="inline-controls recur-row">
              <label htmlFor={`${uid}-month`}>In</label>
              <select id={`${uid}-month`} className="select" value={shownYearMonth(spec, dueDate)}
                onChange={(e) => update(withYearMonth(spec, Number(e.target.value), dueDate))}>
                {MONTH_NAMES.map((m, i) => <option key={m} value={i + 1}>{m}</option>)}
              </select>
            </div>
          )}

          {(spec.freq === 'MONTHLY' || spec.freq === 'YEARLY') && (
            <fieldset>
              <legend>On</legend>
              <div className="inline-controls">
                <input type="radio" id={`${uid}-mday`} name={`${name}-mode`} checked={monthlyMode === 'day'}
                  onChange={() => setMonthly({ mode: 'day', day: monthlyDayValue })} />
                <label htmlFor={`${uid}-mday`}>Day</label>
                <label htmlFor={`${uid}-mday-n`} className="sr-only">Day of the month</label>
                <select id={`${uid}-mday-n`} className="select" value={monthlyDayValue}
                  onChange={(e) => setMonthly({ mode: 'day', day: Number(e.target.value) })}>
                  {dayChoices(spec, dueDate).map((n) => <option key={n} value={n}>{n}</option>)}
                  <option value={-1}>Last day</option>
                </select>
              </div>
              <div className="inline-controls">
                <input type="radio" id={`${uid}-mwd`} name={`${name}-mode`} checked={monthlyMode === 'weekday'}
                  onChange={() => setMonthly({ mode: 'weekday', pos: weekdayPos, day: weekdayDay })} />
                <label htmlFor={`${uid}-mwd`}>The</label>
                <label htmlFor={`${uid}-pos`} className="sr-only">Which week</label>
                <select id={`${uid}-pos`} className="select" value={weekdayPos}
                  onChange={(e) => setMonthly({ mode: 'weekday', pos: Number(e.target.value) as SetPos, day: weekdayDay })}>
                  {SET_POSITIONS.map((p) => <option key={p} value={p}>{ORDINALS[String(p)]}</option>)}
                </select>
                <label htmlFor={`${uid}-wd`} className="sr-only">Weekday</label>
                <select id={`${uid}-wd`} className="select" value={weekdayDay}
                  onChange={(e) => setMonthly({ mode: 'weekday', pos: weekdayPos, day: e.target.value as Weekday })}>
                  {WEEKDAYS.map((d) => <option key={d} value={d}>{WEEKDAY_NAMES[d]}</option>)}
                </select>
              </div>
              {spec.implicitDay && <p className="hint">Now: the due date’s day{due ? ` (${due.day})` : ''}.</p>}
            </fieldset>
          )}

          <fieldset>
            <legend>Ends</legend>
            <div className="inline-controls">
              <input type="radio" id={`${uid}-end-never`} name={`${name}-end`} checked={spec.end.kind === 'never'}
                onChange={() => update({ ...spec, end: { kind: 'never' } })} />
              <label htmlFor={`${uid}-end-never`}>Never</label>
            </div>
            <div className="inline-controls">
              <input type="radio" id={`${uid}-end-count`} name={`${name}-end`} checked={spec.end.kind === 'count'}
                onChange={() => update({ ...spec, end: { kind: 'count', count: countBad ? 10 : countN || 10 } })} />
              <label htmlFor={`${uid}-end-count`}>After</label>
              <label htmlFor={`${uid}-count`} className="sr-only">Number of times</label>
              <input id={`${uid}-count`} className="input input-narrow" type="number" min={1} max={MAX_COUNT}
                inputMode="numeric" value={countText} aria-invalid={countBad || undefined}
                aria-describedby={countBad ? `${uid}-count-err` : undefined}
                onChange={(e) => {
                  setCountText(e.target.value);
                  const n = Number(e.target.value);
                  if (/^\d+$/.test(e.target.value) && n >= 1 && n <= MAX_COUNT) update({ ...spec, end: { kind: 'count', count: n } });
                }} />
              <span aria-hidden="true">times</span>
            </div>
            {countBad && <p id={`${uid}-count-err`} className="field-error">Enter a number of times from 1 to {MAX_COUNT}.</p>}
            <div className="inline-controls">
              <input type="radio" id={`${uid}-end-until`} name={`${name}-end`} checked={spec.end.kind === 'until'}
                onChange={() => {
                  const date = dateParts(untilText) ? untilText : addMonths(dueDate || todayInputs(tz), 3);
                  setUntilText(date);
                  update({ ...spec, end: { kind: 'until', date } });
                }} />
              <label htmlFor={`${uid}-end-until`}>Until</label>
              <label htmlFor={`${uid}-until`} className="sr-only">End date (last day it can repeat)</label>
              <input id={`${uid}-until`} className="input input-date" type="date" value={untilText}
                aria-invalid={untilBad || undefined} aria-describedby={untilBad ? `${uid}-until-err` : undefined}
                onChange={(e) => {
                  setUntilText(e.target.value);
                  if (dateParts(e.target.value)) update({ ...spec, end: { kind: 'until', date: e.target.value } });
                }} />
            </div>
            {untilBad && <p id={`${uid}-until-err`} className="field-error">Pick the last day it can repeat.</p>}
          </fieldset>
        </fieldset>
      )}

      {value && (
        <fieldset>
          <legend>Repeat from</legend>
          <div className="radio-row">
            <span className="checkbox">
              <input type="radio" id={`${uid}-from-due`} name={`${name}-from`} checked={from === 'due'}
                aria-describedby={`${uid}-from-hint${showFromErr ? ' ' + fromErrorId : ''}`}
                aria-invalid={fromBad || undefined}
                onChange={() => emit({ rule: value.rule, from: 'due' })} />
              <label htmlFor={`${uid}-from-due`}>From due date</label>
            </span>
            <span className="checkbox">
              <input type="radio" id={`${uid}-from-done`} name={`${name}-from`} checked={from === 'completion'}
                aria-describedby={`${uid}-from-hint`}
                onChange={() => emit({ rule: value.rule, from: 'completion' })} />
              <label htmlFor={`${uid}-from-done`}>From completion date</label>
            </span>
          </div>
          <p id={`${uid}-from-hint`} className="hint">
            From due date keeps a fixed schedule and needs a due date; from completion date counts
            from the day you finish each one.
          </p>
          {showFromErr && (
            <p id={fromErrorId} className="field-error">
              Repeating from the due date needs a due date. Set one, or repeat from the completion date.
            </p>
          )}
        </fieldset>
      )}

      <p id={previewId} className="hint" aria-live="polite">{capitalise(preview)}</p>
      {skipped && <p id={skipId} className="hint">{skipped}</p>}
      {error && <p id={errorId} className="field-error">{error}</p>}
    </div>
  );
}
