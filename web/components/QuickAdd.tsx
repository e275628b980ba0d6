'use client';
// The quick-add line above the list: type a title with #tags, !priority, a due phrase, a
// repeat or a reminder ("Pay rent on the 1st of every month #bills !high"), see what the
// server's parser understood, press Enter. The preview asks the parser 150 ms after the last
// keystroke; Enter asks at once (or uses the preview of the same text) and then creates the
// task with every field it read (docs/web.md, "Quick add"; docs/decisions/0042).
import { forwardRef, useEffect, useRef, useState } from 'react';
import { api, ApiError } from '@/lib/api';
import { quickAddOf, type QuickAdd as Parsed } from '@/lib/quickadd';
import { clearDraft, loadDraft, saveDraft } from '@/lib/drafts';
import { capitalise, describe } from '@/lib/rrule';
import { durationLabel, fullLabel, toInputs } from '@/lib/time';

interface Props {
  tz: string;
  onAdd: (p: Parsed) => Promise<boolean>; // true when saved
  error?: string;
}

const PREVIEW_DELAY_MS = 150;

const errorText = (e: unknown) => (e instanceof ApiError ? e.message : 'Something went wrong. Please try again.');

function Chips({ p, tz }: { p: Parsed; tz: string }) {
  const r = p.parsed;
  const due = r.due ? toInputs(r.due, tz) : null;
  return (
    <>
      <span className="sr-only">Will add:</span>
      {r.due && <span className="chip">Due {fullLabel(r.due, tz)}</span>}
      {r.rrule && (
        <span className="chip">
          {capitalise(describe(r.rrule, r.all_day ? undefined : due?.time, { tz, dueDate: due?.date }))}
          {r.from_completion ? ', after completion' : ''}
        </span>
      )}
      {(r.reminders ?? []).map((m, i) => (
        <span key={i} className="chip">
          Reminder {m.before ? durationLabel(m.before).toLowerCase() : m.at ? fullLabel(m.at, tz) : ''}
        </span>
      ))}
      {r.priority && r.priority !== 'none' && <span className="chip">{r.priority} priority</span>}
      {(r.tags ?? []).map((t) => <span key={t} className="chip">#{t}</span>)}
    </>
  );
}

const QuickAdd = forwardRef<HTMLInputElement, Props>(function QuickAdd({ tz, onAdd, error }, ref) {
  const [text, setText] = useState('');
  const [parsed, setParsed] = useState<Parsed | null>(null); // the reading of some recent text
  const [parseError, setParseError] = useState('');
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState(false); // Enter pressed without a title
  const inflight = useRef<AbortController | null>(null);
  useEffect(() => {
    const d = loadDraft<string>('quickadd');
    if (d) setText(d);
  }, []);

  // the preview: the parser's reading of the text, 150 ms after the last keystroke
  useEffect(() => {
    inflight.current?.abort();
    setParseError('');
    if (!text.trim()) return;
    const ac = new AbortController();
    inflight.current = ac;
    const t = setTimeout(() => {
      api.parseQuickAdd(text, ac.signal).then(
        (r) => { if (!ac.signal.aborted) setParsed(quickAddOf(text, r)); },
        (e) => { if (!ac.signal.aborted && (e as Error).name !== 'AbortError') setParseError(errorText(e)); });
    }, PREVIEW_DELAY_MS);
    return () => { clearTimeout(t); ac.abort(); };
  }, [text]);
  const current = text.trim() && parsed?.text === text ? parsed : null;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!text.trim() || busy) return;
    setBusy(true);
    let p = current;
    if (!p) {
      try {
        p = quickAddOf(text, await api.parseQuickAdd(text));
        setParsed(p);
      } catch (err) {
        setParseError(errorText(err));
        setBusy(false);
        return;
      }
    }
    if (!p.title) {
      setTried(true);
      setBusy(false);
      return;
    }
    const ok = await onAdd(p);
    setBusy(false);
    if (ok) {
      setText('');
      setParsed(null);
      clearDraft('quickadd');
    }
  }

  const noTitle = current !== null && !current.title;
  const shown = current && current.title ? current : null;
  return (
    <form onSubmit={submit} aria-label="Quick add">
      <div className="quick-add">
        <label htmlFor="quick-add" className="sr-only">New task</label>
        <input id="quick-add" ref={ref} className="input" value={text} autoComplete="off"
          placeholder="Add a task: Pay rent tomorrow at 9am #bills !high   (press n)"
          aria-describedby="quick-add-preview" aria-invalid={error || parseError ? true : undefined}
          onChange={(e) => { setText(e.target.value); setTried(false); saveDraft('quickadd', e.target.value); }} />
        {/* off only when the parser said there is no title: Enter must still submit while it reads */}
        <button type="submit" className="btn btn-primary" disabled={!text.trim() || noTitle || busy}
          aria-describedby="quick-add-preview">Add</button>
      </div>
      {/* not a live region: it changes with every keystroke; the input describes itself by it.
          aria-busy while the reading of the text as it is now has not come back */}
      <div id="quick-add-preview" className="quick-preview"
        aria-busy={text.trim() !== '' && current === null && !parseError}>
        {(error || parseError) && <span className="field-error" role="alert">{error || parseError}</span>}
        {noTitle && (
          // why Add is off: what was typed only describes a task
          <span className={tried ? 'field-error' : 'hint'} role={tried ? 'alert' : undefined}>
            Type what to do as well: #tags, !priority and a due date need a title to go with.
          </span>
        )}
        {shown && <Chips p={shown} tz={tz} />}
      </div>
    </form>
  );
});

export default QuickAdd;
