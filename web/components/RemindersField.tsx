'use client';
// The editor's reminders: the current ones as chips with remove buttons, and an "Add
// reminder" picker of "… before" presets (they need a due date) or a specific local date
// and time in the user's zone. At most 10 (the API's limit), no duplicates.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { REMINDER_PRESETS, durationLabel, durationSeconds, fromInputs, fullLabel, todayInputs } from '@/lib/time';

export interface ReminderValue {
  before?: string;
  at?: string;
}

interface Props {
  value: ReminderValue[];
  onChange: (v: ReminderValue[]) => void;
  hasDue: boolean;
  tz: string;
  error?: string;
  id?: string; // id of the "Add reminder" select (for focusing it)
}

export const MAX_REMINDERS = 10;

function sameReminder(a: ReminderValue, b: ReminderValue): boolean {
  if (a.before !== undefined && b.before !== undefined) {
    const x = durationSeconds(a.before);
    const y = durationSeconds(b.before);
    return x !== null && y !== null ? x === y : a.before === b.before;
  }
  if (a.at !== undefined && b.at !== undefined) return Date.parse(a.at) === Date.parse(b.at);
  return false;
}

export function reminderLabel(r: ReminderValue, tz: string): string {
  if (r.before !== undefined) return durationLabel(r.before);
  if (r.at) return fullLabel(r.at, tz);
  return 'Reminder';
}

export default function RemindersField({ value, onChange, hasDue, tz, error, id }: Props) {
  const uid = useId();
  const selectId = id ?? `${uid}-add`;
  const errorId = `${uid}-error`;
  const hintId = `${uid}-hint`;
  const msgId = `${uid}-msg`;
  const [choice, setChoice] = useState('');
  const [atDate, setAtDate] = useState('');
  const [atTime, setAtTime] = useState('09:00');
  const [message, setMessage] = useState('');
  const listRef = useRef<HTMLUListElement>(null);
  const selectRef = useRef<HTMLSelectElement>(null);
  const [focusAfterRemove, setFocusAfterRemove] = useState<number | null>(null);

  const atMax = value.length >= MAX_REMINDERS;
  const needsDue = !hasDue && value.some((r) => r.before !== undefined);

  useEffect(() => {
    if (focusAfterRemove === null) return;
    const buttons = listRef.current?.querySelectorAll<HTMLButtonElement>('button[data-remove]');
    const target = buttons && buttons.length
      ? buttons[Math.min(focusAfterRemove, buttons.length - 1)]
      : selectRef.current;
    target?.focus();
    setFocusAfterRemove(null);
  }, [focusAfterRemove]);

  const remove = (i: number) => {
    onChange(value.filter((_, k) => k !== i));
    setMessage('');
    setFocusAfterRemove(i);
  };

  const add = () => {
    setMessage('');
    if (atMax) {
      setMessage(`A task can have at most ${MAX_REMINDERS} reminders.`);
      return;
    }
    let r: ReminderValue;
    if (choice === 'at') {
      const at = fromInputs(atDate, atTime, tz);
      if (!at) {
        setMessage('Enter the date (and time) for the reminder.');
        return;
      }
      r = { at };
    } else if (choice) {
      if (!hasDue) {
        setMessage('Set a due date first: this reminder is counted back from it.');
        return;
      }
      r = { before: choice };
    } else {
      setMessage('Choose a reminder to add.');
      return;
    }
    if (value.some((x) => sameReminder(x, r))) {
      setMessage(`“${reminderLabel(r, tz)}” is already set.`);
      return;
    }
    onChange([...value, r]);
    setChoice('');
  };

  const onChoose = (c: string) => {
    setChoice(c);
    setMessage('');
    if (c === 'at' && !atDate) setAtDate(todayInputs(tz));
  };

  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      add();
    }
  };

  const describedBy = [
    hintId, message ? msgId : '', error ? errorId : '',
  ].filter(Boolean).join(' ');

  return (
    <div className="field">
      <span className="label" id={`${uid}-label`}>Reminders</span>
      {value.length ? (
        <ul className="chips" ref={listRef} aria-labelledby={`${uid}-label`}>
          {value.map((r, i) => {
            const label = reminderLabel(r, tz);
            return (
              <li key={(r.before ?? '') + '|' + (r.at ?? '') + '|' + i} className="chip">
                {label}
                <button type="button" data-remove aria-label={`Remove reminder ${label}`} onClick={() => remove(i)}>
                  <span aria-hidden="true">×</span>
                </button>
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="hint">No reminders.</p>
      )}
      {needsDue && !error && <p className="field-error">Reminders before the due time need a due date.</p>}

      <div className="inline-controls">
        <label htmlFor={selectId}>Add reminder</label>
        <select id={selectId} ref={selectRef} className="select" value={choice} disabled={atMax}
          onChange={(e) => onChoose(e.target.value)} onKeyDown={onKey}
          aria-invalid={error ? true : undefined} aria-describedby={describedBy}>
          <option value="">Choose…</option>
          <optgroup label={hasDue ? 'Before the due time' : 'Before the due time (needs a due date)'}>
            {REMINDER_PRESETS.map((p) => (
              <option key={p.before} value={p.before}
                disabled={!hasDue || value.some((x) => sameReminder(x, { before: p.before }))}>
                {p.label}
              </option>
            ))}
          </optgroup>
          <option value="at">At a specific time…</option>
        </select>
        {choice === 'at' && !atMax && (
          <>
            <label htmlFor={`${uid}-date`} className="sr-only">Reminder date</label>
            <input id={`${uid}-date`} className="input input-date" type="date" value={atDate}
              onChange={(e) => setAtDate(e.target.value)} onKeyDown={onKey} />
            <label htmlFor={`${uid}-time`} className="sr-only">Reminder time</label>
            <input id={`${uid}-time`} className="input input-time" type="time" value={atTime}
              onChange={(e) => setAtTime(e.target.value)} onKeyDown={onKey} />
          </>
        )}
        <button type="button" className="btn" onClick={add} disabled={atMax || !choice}>Add</button>
      </div>
      <p id={hintId} className="hint">
        {atMax
          ? `This task has ${MAX_REMINDERS} reminders, the most it can have. Remove one to add another.`
          : hasDue
            ? `Up to ${MAX_REMINDERS} reminders. Times are in ${tz}.`
            : `Set a due date to add reminders before it; a reminder at a specific time works without one. Times are in ${tz}.`}
      </p>
      <p id={msgId} className="field-error" aria-live="polite">{message}</p>
      {error && <p id={errorId} className="field-error">{error}</p>}
    </div>
  );
}
