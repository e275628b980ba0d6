'use client';
// A task's history (/history?task=42): every change the audit service recorded, newest first,
// in words and in the user's time zone. It stays readable after the task is deleted.
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useState } from 'react';
import AppShell from '@/components/AppShell';
import { api, ApiError } from '@/lib/api';
import { useRequiredSession } from '@/lib/useSession';
import { describe } from '@/lib/rrule';
import { durationLabel, fullLabel } from '@/lib/time';
import type { HistoryEntry, Task } from '@/lib/types';

// the API's types (openapi.json HistoryEntry.type); the CloudEvent names are accepted too
const TYPE_WORDS: Record<string, string> = {
  created: 'Created', updated: 'Changed', completed: 'Completed', reopened: 'Reopened', deleted: 'Deleted',
  'todo.task.created': 'Created',
  'todo.task.updated': 'Changed',
  'todo.task.completed': 'Completed',
  'todo.task.reopened': 'Reopened',
  'todo.task.deleted': 'Deleted',
};

const FIELD_WORDS: Record<string, string> = {
  due_at: 'due', title: 'title', description: 'description', priority: 'priority', tags: 'tags',
  reminders: 'reminders', recurrence: 'repeat', status: 'status', completed: 'completed',
  completed_at: 'completed at',
};

function show(v: unknown, tz: string): string {
  if (v === null || v === undefined || v === '') return 'nothing';
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) return fullLabel(v, tz);
  if (Array.isArray(v)) return v.length ? v.map((x) => show(x, tz)).join(', ') : 'none';
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('rule' in o) return describe(String(o.rule)) + (o.from === 'completion' ? ' (from completion)' : '');
    if ('before' in o && typeof o.before === 'string') return durationLabel(o.before).toLowerCase();
    if ('at' in o) return show(o.at, tz);
    return JSON.stringify(v);
  }
  return String(v);
}

type Change = { before?: unknown; after?: unknown } | undefined;

/** The lines worth reading: values that changed; not `completed` (the same fact as
 * `status`); for a creation, only the fields given a value (not "priority: none"). */
function lines(h: HistoryEntry, tz: string): [string, Change][] {
  const created = h.type === 'created' || h.type === 'todo.task.created';
  const empty = (v: unknown) => v === null || v === undefined || v === '' || v === false || v === 'none'
    || (Array.isArray(v) && v.length === 0);
  return Object.entries(h.changes ?? {}).filter(([f, c]) => f !== 'completed'
    && show(c?.before, tz) !== show(c?.after, tz)
    && !(created && (empty(c?.after) || f === 'status')));
}

export default function HistoryPage() {
  return <Suspense fallback={null}><History /></Suspense>;
}

function History() {
  const session = useRequiredSession();
  const params = useSearchParams();
  const id = Number(params.get('task'));
  const [task, setTask] = useState<Task | null>(null);
  const [gone, setGone] = useState(false); // the task itself answered 404: deleted
  const [items, setItems] = useState<HistoryEntry[] | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    if (!session) return;
    if (!Number.isInteger(id) || id <= 0) {
      setError('No task was given. Open a task and choose History.');
      return;
    }
    api.get(id).then(setTask).catch((e) => setGone(e instanceof ApiError && e.status === 404));
    api.history(id).then((r) => setItems(r.items))
      .catch((e) => setError(e instanceof ApiError && e.status === 404 ? 'There is no such task.' : (e as Error).message));
  }, [session, id]);

  if (!session) return null;
  const tz = session.user.timezone || 'UTC';
  // a deleted task: its last title, from the newest change that has one (the deletion's "before")
  const named = items?.map((i) => i.changes?.title).find((c) => typeof c?.after === 'string' || typeof c?.before === 'string');
  const title = task?.title ?? ((typeof named?.after === 'string' ? named.after : named?.before) as string | undefined);
  return (
    <AppShell session={session}>
      <p><Link href="/">← Back to tasks</Link></p>
      <h1>History{title ? `: ${title}` : ''}</h1>
      {gone && items && items.length > 0 && <p className="hint">This task has been deleted; its history stays.</p>}
      {error && <div className="banner banner-error" role="alert">{error}</div>}
      {items && items.length === 0 && <p className="empty card">No changes recorded yet. They appear a moment after each change.</p>}
      {items && items.length > 0 && (
        <ol className="history-list card" aria-label="Changes, newest first">
          {items.map((h) => (
            <li key={h.event_id}>
              <strong>{TYPE_WORDS[h.type] ?? h.type}</strong> <span className="hint">{fullLabel(h.at, tz)}</span>
              {h.changes && Object.keys(h.changes).length > 0 && (
                <ul className="changes">
                  {lines(h, tz).map(([f, c]) => (
                    <li key={f}>{FIELD_WORDS[f] ?? f}: {show(c?.before, tz)} → {show(c?.after, tz)}</li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
    </AppShell>
  );
}
