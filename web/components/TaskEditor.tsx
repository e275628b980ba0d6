'use client';
// The task editor dialog ("New task" / "Edit task"): title, description, priority, tags,
// due date and time in the user's zone, reminders and repeat. New tasks are POSTed; edits
// PATCH only the changed fields with If-Match, and a stale version (412) is never
// overwritten silently: the user reloads or re-applies their changes to the new version.
// What is typed is kept as a draft (lib/drafts.ts) until it is saved or cancelled.
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import Dialog from './Dialog';
import TagInput from './TagInput';
import RemindersField, { reminderLabel, type ReminderValue } from './RemindersField';
import RecurrenceField, { type RecurrenceValue } from './RecurrenceField';
import { api, ApiError } from '@/lib/api';
import { clearDraft, loadDraft, saveDraft } from '@/lib/drafts';
import { fieldSentence } from '@/lib/messages';
import { fromInputs, fullLabel, toInputs } from '@/lib/time';
import type { Priority, Reminder, TagCount, Task, TaskInput } from '@/lib/types';

interface Props {
  taskId: number | null;
  initial?: TaskInput;
  tz: string;
  onClose: () => void;
  onSaved: (task: Task, created: boolean) => void;
  onDelete?: (task: Task) => void;
  onShowHistory?: (task: Task) => void;
}

interface Form {
  title: string;
  description: string;
  priority: Priority;
  tags: string[];
  dueDate: string; // YYYY-MM-DD in tz, or ''
  dueTime: string; // HH:MM in tz, or ''
  reminders: ReminderValue[];
  recurrence: RecurrenceValue | null;
}

/** What the editor keeps in sessionStorage: the form and the form it started from, so only
 * the fields the user changed are restored over a possibly newer version of the task. */
interface Draft {
  taskId: number | null;
  form: Form;
  base: Form;
}

type Section = 'title' | 'description' | 'priority' | 'tags' | 'due' | 'reminders' | 'recurrence';
type Errors = Partial<Record<Section, string>>;

// in the order they appear, for "focus the first invalid field"
const SECTIONS: Section[] = ['title', 'description', 'priority', 'tags', 'due', 'reminders', 'recurrence'];
const DRAFT_KEY = 'editor';
const MAX_TITLE = 500;
const MAX_DESCRIPTION = 10000;
const PRIORITY_LABELS: [Priority, string][] = [['none', 'None'], ['low', 'Low'], ['medium', 'Medium'], ['high', 'High']];

const EMPTY: Form = {
  title: '', description: '', priority: 'none', tags: [], dueDate: '', dueTime: '', reminders: [], recurrence: null,
};

function reminderValues(rs: (Reminder | ReminderValue)[] | undefined): ReminderValue[] {
  const out: ReminderValue[] = [];
  for (const r of rs ?? []) {
    if (r.before !== undefined && r.before !== null) out.push({ before: r.before });
    else {
      const at = r.at ?? (r as Reminder).remind_at;
      if (at) out.push({ at });
    }
  }
  return out;
}

/** The form for a task read from the API or for the fields a new task starts with (a Task
 * has every field a TaskInput has). */
function formFrom(i: TaskInput | undefined, tz: string): Form {
  if (!i) return EMPTY;
  const d = toInputs(i.due_at ?? null, tz);
  return {
    title: i.title ?? '',
    description: i.description ?? '',
    priority: i.priority ?? 'none',
    tags: [...(i.tags ?? [])],
    dueDate: d.date,
    dueTime: d.time,
    reminders: reminderValues(i.reminders),
    recurrence: i.recurrence ? { rule: i.recurrence.rule, from: i.recurrence.from } : null,
  };
}

const timeOrDefault = (t: string) => t || '09:00';

function same(s: Section, a: Form, b: Form): boolean {
  switch (s) {
    case 'tags':
      return [...a.tags].sort().join(',') === [...b.tags].sort().join(',');
    case 'due':
      return a.dueDate === b.dueDate && (!a.dueDate || timeOrDefault(a.dueTime) === timeOrDefault(b.dueTime));
    case 'reminders':
      return JSON.stringify(a.reminders) === JSON.stringify(b.reminders);
    case 'recurrence':
      return JSON.stringify(a.recurrence) === JSON.stringify(b.recurrence);
    default:
      return a[s] === b[s];
  }
}

function changedSections(form: Form, base: Form): Section[] {
  return SECTIONS.filter((s) => !same(s, form, base));
}

/** Copies the given sections of from onto to. */
function withSections(to: Form, from: Form, sections: Section[]): Form {
  const out = { ...to };
  for (const s of sections) {
    if (s === 'due') {
      out.dueDate = from.dueDate;
      out.dueTime = from.dueTime;
    } else {
      (out as unknown as Record<string, unknown>)[s] = from[s];
    }
  }
  return out;
}

function bodyFor(form: Form, tz: string, sections: Section[]): TaskInput {
  const b: TaskInput = {};
  for (const s of sections) {
    switch (s) {
      case 'title': b.title = form.title.trim(); break;
      case 'description': b.description = form.description; break;
      case 'priority': b.priority = form.priority; break;
      case 'tags': b.tags = [...form.tags]; break;
      case 'due': b.due_at = form.dueDate ? fromInputs(form.dueDate, form.dueTime, tz) : null; break;
      case 'reminders': b.reminders = form.reminders.map((r) => ({ ...r })); break;
      case 'recurrence': b.recurrence = form.recurrence ? { ...form.recurrence } : null; break;
    }
  }
  return b;
}

/** What the browser's date and time fields hold that is not a value: a date that does not
 * exist (30 February) or one left half typed leaves the field's value empty, with
 * validity.badInput set. */
interface BadInput { date: boolean; time: boolean }

function validate(form: Form, tz: string, bad: BadInput): Errors {
  const e: Errors = {};
  const title = form.title.trim();
  if (!title) e.title = 'Enter a title.';
  else if ([...title].length > MAX_TITLE) e.title = `A title can be at most ${MAX_TITLE} characters.`;
  if ([...form.description].length > MAX_DESCRIPTION) {
    e.description = `A description can be at most ${MAX_DESCRIPTION.toLocaleString('en')} characters.`;
  }
  if (bad.date) e.due = 'This is not a valid date: check the day, month and year.';
  else if (bad.time) e.due = 'This is not a valid time: check the hours and minutes.';
  else if (!form.dueDate && form.dueTime) e.due = 'Pick a date for this time, or clear the time.';
  else if (form.dueDate && !fromInputs(form.dueDate, form.dueTime, tz)) e.due = 'Enter a valid date and time.';
  if (!form.dueDate && form.reminders.some((r) => r.before !== undefined)) {
    e.reminders = 'Reminders before the due time need a due date. Set one, or remove them.';
  }
  if (form.recurrence && form.recurrence.from === 'due' && !form.dueDate) {
    e.recurrence = 'Set a due date, or choose “From completion date”.';
  }
  return e;
}

/** The editor section an API error's field belongs to (title, tags[2], reminders[0].before,
 * recurrence.rule...), or null. */
function sectionOf(field: string): Section | null {
  const head = field.split(/[.[]/)[0];
  switch (head) {
    case 'title': case 'description': case 'priority': case 'tags': case 'reminders': case 'recurrence':
      return head;
    case 'due_at':
      return 'due';
    default:
      return null;
  }
}


type Status = 'loading' | 'ready' | 'gone' | 'failed';

interface Start {
  status: Status;
  base: Form;
  form: Form;
  restored: boolean;
}

/** The form to start from: base, with the user's changes from a draft for this task. */
function restore(taskId: number | null, base: Form): { form: Form; restored: boolean } {
  const d = loadDraft<Draft>(DRAFT_KEY);
  if (!d || d.taskId !== taskId || !d.form || !d.base) return { form: base, restored: false };
  const sections = changedSections({ ...EMPTY, ...d.form }, { ...EMPTY, ...d.base });
  if (!sections.length) return { form: base, restored: false };
  return { form: withSections(base, { ...EMPTY, ...d.form }, sections), restored: true };
}

export default function TaskEditor({ taskId, initial, tz, onClose, onSaved, onDelete, onShowHistory }: Props) {
  const uid = useId();
  const ids = {
    title: `${uid}-title`, description: `${uid}-desc`, priority: `${uid}-prio`, tags: `${uid}-tags`,
    due: `${uid}-due-date`, dueTime: `${uid}-due-time`, reminders: `${uid}-rem`, recurrence: `${uid}-rec`,
  };
  const errId = (s: Section) => `${uid}-${s}-err`;

  const [start] = useState<Start>(() => {
    if (taskId !== null) return { status: 'loading', base: EMPTY, form: EMPTY, restored: false };
    const base = formFrom(initial, tz);
    return { status: 'ready', base, ...restore(null, base) };
  });
  const [status, setStatus] = useState<Status>(start.status);
  const [task, setTask] = useState<Task | null>(null);
  const [base, setBase] = useState<Form>(start.base);
  const [form, setForm] = useState<Form>(start.form);
  const [restored, setRestored] = useState(start.restored);
  const dateRef = useRef<HTMLInputElement>(null);
  const timeRef = useRef<HTMLInputElement>(null);
  const readBadInput = (): BadInput => ({
    date: !!dateRef.current?.validity.badInput, time: !!timeRef.current?.validity.badInput,
  });
  // the fields hold text that is no value: Clear must still be offered
  const [dueBad, setDueBad] = useState(false);
  const syncDueBad = () => { const b = readBadInput(); setDueBad(b.date || b.time); };
  const [errors, setErrors] = useState<Errors>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [conflict, setConflict] = useState(false);
  const [saving, setSaving] = useState(false);
  const [suggestions, setSuggestions] = useState<TagCount[]>([]);
  const [focusTick, setFocusTick] = useState(0);
  const titleRef = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const finished = useRef(false); // saved, cancelled or deleted: keep no draft
  const pendingDraft = useRef<Draft | null>(null);

  // load the task (existing) and the tag suggestions (once)
  const loadSeq = useRef(0);
  const load = async (focus: boolean) => {
    if (taskId === null) return;
    const seq = ++loadSeq.current;
    setStatus('loading');
    setBanner(null);
    try {
      const t = await api.get(taskId);
      if (seq !== loadSeq.current) return; // a newer load is on its way
      const b = formFrom(t, tz);
      const r = restore(taskId, b);
      setTask(t);
      setBase(b);
      setForm(r.form);
      setRestored(r.restored);
      setStatus('ready');
      if (focus) setFocusTick(-Date.now()); // negative: focus the title
    } catch (e) {
      if (seq !== loadSeq.current) return;
      if (e instanceof ApiError && e.status === 404) setStatus('gone');
      else {
        setBanner(e instanceof Error ? e.message : 'The task could not be loaded.');
        setStatus('failed');
      }
    }
  };

  useEffect(() => {
    void load(true);
    let live = true;
    api.tags().then((r) => { if (live) setSuggestions(r.items ?? []); }).catch(() => { /* no suggestions */ });
    return () => { live = false; };
  }, [taskId]);

  // focus: the title after loading, else the first field with an error
  useEffect(() => {
    if (!focusTick) return;
    if (focusTick < 0) {
      titleRef.current?.focus();
      return;
    }
    const first = SECTIONS.find((s) => errors[s]);
    if (first) document.getElementById(ids[first])?.focus();
  }, [focusTick]);

  // keep what is typed as a draft (debounced); none while it equals what was loaded
  const dirty = status === 'ready' && changedSections(form, base).length > 0;
  useEffect(() => {
    if (status !== 'ready' || finished.current) return;
    if (!dirty) {
      pendingDraft.current = null;
      clearDraft(DRAFT_KEY);
      return;
    }
    const d: Draft = { taskId, form, base };
    pendingDraft.current = d;
    const t = window.setTimeout(() => {
      saveDraft(DRAFT_KEY, d);
      pendingDraft.current = null;
    }, 300);
    return () => window.clearTimeout(t);
  }, [form, base, status, dirty, taskId]);
  useEffect(() => {
    // unmounted or the page unloads within the debounce: keep the last keystrokes too
    const flush = () => {
      if (pendingDraft.current && !finished.current) saveDraft(DRAFT_KEY, pendingDraft.current);
    };
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, []);

  const update = <K extends keyof Form>(key: K, v: Form[K], section: Section) => {
    setForm((f) => ({ ...f, [key]: v }));
    // the due date also settles "needs a due date" on reminders and repeat
    const clear: Section[] = section === 'due' ? ['due', 'reminders', 'recurrence'] : [section];
    setErrors((e) => (clear.some((s) => e[s]) ? { ...e, ...Object.fromEntries(clear.map((s) => [s, undefined])) } : e));
  };

  const finish = () => {
    finished.current = true;
    pendingDraft.current = null;
    clearDraft(DRAFT_KEY);
  };

  const cancel = () => {
    finish();
    onClose();
  };

  // Escape, Cancel or Close with unsaved changes asks first: a stray key must not throw
  // away what was typed
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const keepRef = useRef<HTMLButtonElement>(null);
  const requestClose = () => {
    if (dirty && !confirmDiscard) setConfirmDiscard(true);
    else cancel();
  };
  useEffect(() => {
    if (confirmDiscard) keepRef.current?.focus();
  }, [confirmDiscard]);
  useEffect(() => {
    if (!dirty) setConfirmDiscard(false);
  }, [dirty]);

  const showError = (e: unknown, sent: Form) => {
    if (e instanceof ApiError) {
      if (e.status === 412) {
        setConflict(true);
        return;
      }
      if (e.status === 404 && taskId !== null) {
        setStatus('gone');
        return;
      }
      const errs: Errors = {};
      const other: string[] = [];
      for (const d of e.details) {
        const s = sectionOf(d.field);
        const rem = /^reminders\[(\d+)\]/.exec(d.field);
        const tag = /^tags\[(\d+)\]/.exec(d.field);
        let subject: string | undefined;
        if (rem && sent.reminders[+rem[1]]) subject = `the reminder “${reminderLabel(sent.reminders[+rem[1]], tz)}”`;
        if (tag && sent.tags[+tag[1]]) subject = `the tag “${sent.tags[+tag[1]]}”`;
        const msg = fieldSentence(d.field, d.message, subject);
        if (s) errs[s] = errs[s] ? `${errs[s]} ${msg}` : msg;
        else other.push(msg);
      }
      setErrors(errs);
      if (other.length || !e.details.length) {
        setBanner(e.details.length ? other.join(' ') : e.message);
      }
      else setBanner(null);
      if (Object.keys(errs).length) setFocusTick((n) => Math.abs(n) + 1);
      return;
    }
    setBanner(e instanceof Error ? e.message : 'Something went wrong. Please try again.');
  };

  const done = (saved: Task, created: boolean) => {
    const f = formFrom(saved, tz);
    setTask(saved);
    setBase(f);
    setForm(f);
    setRestored(false);
    finish();
    onSaved(saved, created);
    finished.current = false; // in case the page keeps the editor open: draft further edits
  };

  const save = async () => {
    if (saving || status !== 'ready') return;
    const errs = validate(form, tz, readBadInput());
    setErrors(errs);
    if (Object.keys(errs).length) {
      setBanner(null);
      setFocusTick((n) => Math.abs(n) + 1);
      return;
    }
    // if the session ends during the request, what was typed must survive the sign-in
    if (dirty) saveDraft(DRAFT_KEY, { taskId, form, base } satisfies Draft);
    setSaving(true);
    setBanner(null);
    setConflict(false);
    try {
      if (taskId === null) {
        const sections = Array.from(new Set<Section>(['title', ...changedSections(form, EMPTY)]));
        done(await api.create(bodyFor(form, tz, sections)), true);
      } else if (task) {
        const sections = changedSections(form, base);
        if (!sections.length) {
          cancel();
          return;
        }
        done(await api.patch(task.id, bodyFor(form, tz, sections), task.version), false);
      }
    } catch (e) {
      showError(e, form);
    } finally {
      setSaving(false);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void save();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      formRef.current?.requestSubmit();
    }
  };

  // 412: start again from the new version
  const reloadDiscarding = async () => {
    if (taskId === null) return;
    setSaving(true);
    try {
      const t = await api.get(taskId);
      const f = formFrom(t, tz);
      setTask(t);
      setBase(f);
      setForm(f);
      setErrors({});
      setBanner(null);
      setConflict(false);
      setRestored(false);
      clearDraft(DRAFT_KEY);
      setFocusTick(-Date.now());
    } catch (e) {
      showError(e, form);
    } finally {
      setSaving(false);
    }
  };

  // 412: the user's changed fields, sent again on top of the new version
  const applyMine = async () => {
    if (taskId === null) return;
    const sections = changedSections(form, base);
    setSaving(true);
    let merged = form;
    try {
      const t = await api.get(taskId);
      const fresh = formFrom(t, tz);
      merged = withSections(fresh, form, sections);
      setTask(t);
      setBase(fresh);
      setForm(merged);
      setConflict(false);
      setBanner(null);
      if (!sections.length) return;
      done(await api.patch(t.id, bodyFor(merged, tz, sections), t.version), false);
    } catch (e) {
      showError(e, merged);
    } finally {
      setSaving(false);
    }
  };

  const fieldProps = (s: Section, extraDescribedBy?: string) => ({
    'aria-invalid': errors[s] ? true : undefined,
    'aria-describedby': [extraDescribedBy, errors[s] ? errId(s) : ''].filter(Boolean).join(' ') || undefined,
  });
  const fieldError = (s: Section) => errors[s] && <p id={errId(s)} className="field-error">{errors[s]}</p>;

  const recurrenceUnchanged = !!task && same('recurrence', form, base) && same('due', form, base);
  const title = taskId === null ? 'New task' : 'Edit task';

  return (
    <Dialog title={title} onClose={requestClose} closeOnBackdrop={false}>
      {confirmDiscard && (
        <div className="banner banner-info" role="alert">
          <p style={{ margin: '0 0 .5rem' }}>You have unsaved changes. Discard them?</p>
          <button ref={keepRef} type="button" className="btn btn-small" onClick={() => setConfirmDiscard(false)}>Keep editing</button>{' '}
          <button type="button" className="btn btn-small btn-danger" onClick={cancel}>Discard changes</button>
        </div>
      )}
      {status === 'loading' && <p role="status" className="hint">Loading the task…</p>}

      {status === 'gone' && (
        <>
          <p role="alert" className="banner banner-error">This task no longer exists. It may have been deleted somewhere else.</p>
          <div className="dialog-actions">
            <button type="button" className="btn btn-primary" onClick={cancel}>Close</button>
          </div>
        </>
      )}

      {status === 'failed' && (
        <>
          <p role="alert" className="banner banner-error">{banner ?? 'The task could not be loaded.'}</p>
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={cancel}>Close</button>
            <button type="button" className="btn btn-primary" onClick={() => void load(true)}>Try again</button>
          </div>
        </>
      )}

      {status === 'ready' && (
        <form ref={formRef} className="editor" noValidate onSubmit={onSubmit} onKeyDown={onKeyDown} aria-busy={saving}>
          {conflict && (
            <div className="banner banner-info" role="alert">
              <p>This task was changed somewhere else.</p>
              <div className="dialog-actions">
                <button type="button" className="btn" onClick={() => void reloadDiscarding()} disabled={saving}>
                  Reload (discard my changes)
                </button>
                <button type="button" className="btn btn-primary" onClick={() => void applyMine()} disabled={saving}>
                  Apply my changes to the new version
                </button>
              </div>
            </div>
          )}
          {banner && <div className="banner banner-error" role="alert">{banner}</div>}
          {restored && <p className="hint">Restored what you were typing.</p>}

          <div className="field">
            <label htmlFor={ids.title}>Title</label>
            <input id={ids.title} ref={titleRef} className="input" type="text" required
              value={form.title} onChange={(e) => update('title', e.target.value, 'title')} {...fieldProps('title')} />
            {fieldError('title')}
          </div>

          <div className="field">
            <label htmlFor={ids.description}>Description</label>
            <textarea id={ids.description} className="textarea" value={form.description}
              onChange={(e) => update('description', e.target.value, 'description')} {...fieldProps('description')} />
            {fieldError('description')}
          </div>

          <div className="field">
            <label htmlFor={ids.priority}>Priority</label>
            <select id={ids.priority} className="select" value={form.priority}
              onChange={(e) => update('priority', e.target.value as Priority, 'priority')} {...fieldProps('priority')}>
              {PRIORITY_LABELS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
            </select>
            {fieldError('priority')}
          </div>

          <TagInput id={ids.tags} value={form.tags} onChange={(v) => update('tags', v, 'tags')}
            suggestions={suggestions} error={errors.tags} />

          <fieldset>
            <legend>Due</legend>
            <div className="field-row editor-due">
              <div className="field">
                <label htmlFor={ids.due}>Date</label>
                <input id={ids.due} ref={dateRef} className="input" type="date" value={form.dueDate}
                  onChange={(e) => update('dueDate', e.target.value, 'due')} onInput={syncDueBad} onBlur={syncDueBad}
                  {...fieldProps('due', `${uid}-tz`)} />
              </div>
              <div className="field">
                <label htmlFor={ids.dueTime}>Time</label>
                <input id={ids.dueTime} ref={timeRef} className="input" type="time" value={form.dueTime}
                  onChange={(e) => update('dueTime', e.target.value, 'due')} onInput={syncDueBad} onBlur={syncDueBad}
                  {...fieldProps('due', `${uid}-tz`)} />
              </div>
              <div className="field editor-due-clear">
                <button type="button" className="btn" disabled={!form.dueDate && !form.dueTime && !dueBad}
                  onClick={() => {
                    // setting the value also empties what the browser could not parse
                    for (const r of [dateRef, timeRef]) if (r.current) r.current.value = '';
                    setDueBad(false);
                    update('dueDate', '', 'due');
                    update('dueTime', '', 'due');
                  }}>
                  Clear<span className="sr-only"> due date</span>
                </button>
              </div>
            </div>
            <p id={`${uid}-tz`} className="hint">
              Times are in {tz}.{form.dueDate && !form.dueTime ? ' Without a time, it is due at 09:00.' : ''}
            </p>
            {fieldError('due')}
          </fieldset>

          <RemindersField id={ids.reminders} value={form.reminders} onChange={(v) => update('reminders', v, 'reminders')}
            hasDue={!!form.dueDate} tz={tz} error={errors.reminders} />

          <RecurrenceField id={ids.recurrence} value={form.recurrence}
            onChange={(v) => update('recurrence', v, 'recurrence')}
            dueDate={form.dueDate} dueTime={form.dueTime} tz={tz} error={errors.recurrence}
            serverText={recurrenceUnchanged ? task?.recurrence?.text : undefined} />
          {recurrenceUnchanged && form.recurrence && task?.recurrence?.next_due_at && (
            <p className="hint">Next: {fullLabel(task.recurrence.next_due_at, tz)}</p>
          )}

          <div className="dialog-actions">
            {task && (onShowHistory || onDelete) && (
              <div className="left editor-left">
                {onShowHistory && (
                  <button type="button" className="btn btn-ghost" disabled={saving} onClick={() => onShowHistory(task)}>
                    History
                  </button>
                )}
                {onDelete && (
                  <button type="button" className="btn btn-danger" disabled={saving}
                    onClick={() => {
                      // the page may still ask ("Delete series?"): if the answer is no, it
                      // reopens the editor, and what was typed comes back from the draft
                      if (dirty) saveDraft(DRAFT_KEY, { taskId, form, base } satisfies Draft);
                      finished.current = true;
                      pendingDraft.current = null;
                      onDelete(task);
                    }}>
                    Delete
                  </button>
                )}
              </div>
            )}
            <button type="button" className="btn" onClick={requestClose} disabled={saving}>Cancel</button>
            <button type="submit" className="btn btn-primary" disabled={saving}>
              {saving ? 'Saving…' : 'Save'}
            </button>
          </div>
          <p className="hint editor-shortcut">
            <kbd>Ctrl</kbd>+<kbd>Enter</kbd> saves.
          </p>
        </form>
      )}
    </Dialog>
  );
}
