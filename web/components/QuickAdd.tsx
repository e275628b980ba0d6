'use client';
// The quick-add line above the list: type a title with #tags, !priority and a due phrase
// ("Pay rent tomorrow at 9am #bills !high"), see what was understood, press Enter.
import { forwardRef, useEffect, useMemo, useState } from 'react';
import { parseQuickAdd, type QuickAdd as Parsed } from '@/lib/quickadd';
import { clearDraft, loadDraft, saveDraft } from '@/lib/drafts';
import { fullLabel } from '@/lib/time';

interface Props {
  tz: string;
  onAdd: (p: Parsed) => Promise<boolean>; // true when saved
  error?: string;
}

const QuickAdd = forwardRef<HTMLInputElement, Props>(function QuickAdd({ tz, onAdd, error }, ref) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState(false); // Enter pressed without a title
  useEffect(() => {
    const d = loadDraft<string>('quickadd');
    if (d) setText(d);
  }, []);
  const parsed = useMemo(() => (text.trim() ? parseQuickAdd(text, tz) : null), [text, tz]);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (parsed && !parsed.title) setTried(true);
    if (!parsed || !parsed.title || busy) return;
    setBusy(true);
    const ok = await onAdd(parsed);
    setBusy(false);
    if (ok) {
      setText('');
      clearDraft('quickadd');
    }
  }

  return (
    <form onSubmit={submit} aria-label="Quick add">
      <div className="quick-add">
        <label htmlFor="quick-add" className="sr-only">New task</label>
        <input id="quick-add" ref={ref} className="input" value={text} autoComplete="off"
          placeholder="Add a task: Pay rent tomorrow at 9am #bills !high   (press n)"
          aria-describedby="quick-add-preview" aria-invalid={error ? true : undefined}
          onChange={(e) => { setText(e.target.value); setTried(false); saveDraft('quickadd', e.target.value); }} />
        <button type="submit" className="btn btn-primary" disabled={!parsed?.title || busy}
          aria-describedby="quick-add-preview">Add</button>
      </div>
      {/* not a live region: it changes with every keystroke; the input describes itself by it */}
      <div id="quick-add-preview" className="quick-preview">
        {error && <span className="field-error" role="alert">{error}</span>}
        {parsed && !parsed.title && (
          // why Add is off: what was typed only describes a task
          <span className={tried ? 'field-error' : 'hint'} role={tried ? 'alert' : undefined}>
            Type what to do as well: #tags, !priority and a due date need a title to go with.
          </span>
        )}
        {parsed && parsed.title && (parsed.due_at || parsed.tags.length > 0 || parsed.priority) && (
          <>
            <span className="sr-only">Will add:</span>
            {parsed.due_at && (
              <span className="chip" title={`from “${parsed.dueText}”`}>Due {fullLabel(parsed.due_at, tz)}</span>
            )}
            {parsed.priority && <span className="chip">{parsed.priority} priority</span>}
            {parsed.tags.map((t) => <span key={t} className="chip">#{t}</span>)}
          </>
        )}
      </div>
    </form>
  );
});

export default QuickAdd;
