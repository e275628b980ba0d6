'use client';
// The main screen: views with counts, search, filters, sort, the quick-add line and the task
// list (infinite scroll over the cursor API), with completion, delete with undo, the editor
// and keyboard shortcuts. The filters live in the URL, so a reload or a link keeps them.
import { Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useRouter, useSearchParams } from 'next/navigation';
import AppShell from '@/components/AppShell';
import ChatPanel from '@/components/ChatPanel';
import QuickAdd from '@/components/QuickAdd';
import TaskRow from '@/components/TaskRow';
import TaskEditor from '@/components/TaskEditor';
import Dialog from '@/components/Dialog';
import { ToastProvider, useToasts } from '@/components/Toasts';
import { api, ApiError, type ListQuery } from '@/lib/api';
import { clearDraft, loadDraft } from '@/lib/drafts';
import { useLiveSync, type LiveChange } from '@/lib/live';
import { onBeforeSessionEnd } from '@/lib/session';
import { useRequiredSession } from '@/lib/useSession';
import { dueLabel } from '@/lib/time';
import { taskInputOf, type QuickAdd as Parsed } from '@/lib/quickadd';
import { panelWasOpen, rememberPanelOpen } from '@/lib/chat';
import type { Session } from '@/lib/session';
import type { TagCount, Task, TaskInput } from '@/lib/types';

const PAGE = 50;
const UNDO_MS = 5000;

const VIEWS: { due: string; label: string }[] = [
  { due: '', label: 'All' },
  { due: 'overdue', label: 'Overdue' },
  { due: 'today', label: 'Today' },
  { due: 'tomorrow', label: 'Tomorrow' },
  { due: 'week', label: 'Next 7 days' },
  { due: 'none', label: 'No date' },
];

const SORTS: { value: string; label: string }[] = [
  { value: '-created_at', label: 'Newest first' },
  { value: 'due_at', label: 'Due date' },
  { value: '-priority,due_at', label: 'Priority' },
  { value: 'title', label: 'Title' },
  { value: '-updated_at', label: 'Recently changed' },
];

interface Filters {
  q: string;
  status: 'pending' | 'completed' | 'all';
  priority: string[];
  tags: string[];
  due: string;
  sort: string;
}

function readFilters(p: URLSearchParams): Filters {
  const status = p.get('status');
  const sort = p.get('sort');
  return {
    q: p.get('q') ?? '',
    status: status === 'completed' || status === 'all' ? status : 'pending',
    priority: (p.get('priority') ?? '').split(',').filter((x) => ['high', 'medium', 'low', 'none'].includes(x)),
    tags: (p.get('tags') ?? '').split(',').filter(Boolean),
    due: VIEWS.some((v) => v.due === p.get('due')) ? (p.get('due') as string) : '',
    sort: SORTS.some((s) => s.value === sort) ? (sort as string) : '-created_at',
  };
}

function writeFilters(f: Filters): string {
  const p = new URLSearchParams();
  if (f.q) p.set('q', f.q);
  if (f.status !== 'pending') p.set('status', f.status);
  if (f.priority.length) p.set('priority', f.priority.join(','));
  if (f.tags.length) p.set('tags', f.tags.join(','));
  if (f.due) p.set('due', f.due);
  if (f.sort !== '-created_at') p.set('sort', f.sort);
  const s = p.toString();
  return s ? '/?' + s : '/';
}

function toQuery(f: Filters): ListQuery {
  return { q: f.q, status: f.status, priority: f.priority, tags: f.tags, due: f.due || undefined, sort: f.sort };
}

function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName);
}

/** An error for people: ApiError's message is already a sentence (lib/messages.ts). */
function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : 'Something went wrong. Please try again.';
}

export default function Page() {
  return (
    <Suspense fallback={null}>
      <ToastProvider>
        <TasksScreen />
      </ToastProvider>
    </Suspense>
  );
}

function TasksScreen() {
  const session = useRequiredSession();
  if (!session) return <p className="sr-only" role="status">Loading…</p>;
  return <Tasks session={session} />;
}

function Tasks({ session }: { session: Session }) {
  const router = useRouter();
  const params = useSearchParams();
  const toasts = useToasts();
  const tz = session.user.timezone || 'UTC';
  const filters = useMemo(() => readFilters(new URLSearchParams(params.toString())), [params]);
  const queryKey = writeFilters(filters);

  const [items, setItems] = useState<Task[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState('');
  const [total, setTotal] = useState<number | null>(null);
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [tags, setTags] = useState<TagCount[]>([]);
  const [search, setSearch] = useState(filters.q);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [editor, setEditor] = useState<{ taskId: number | null; initial?: TaskInput } | null>(null);
  // a repeating task about to be deleted; fromEditor: "Keep it" goes back to the editor
  const [confirmSeries, setConfirmSeries] = useState<{ task: Task; fromEditor: boolean } | null>(null);
  const [quickError, setQuickError] = useState('');
  const [showHelp, setShowHelp] = useState(false);
  // the assistant's panel: open across reloads; focus goes to it only when opened now
  const [chat, setChat] = useState<{ open: boolean; focus: boolean }>({ open: false, focus: false });
  useEffect(() => { if (panelWasOpen()) setChat({ open: true, focus: false }); }, []);
  const chatButton = useRef<HTMLButtonElement>(null);
  const chatOpen = useRef(false);
  chatOpen.current = chat.open;
  const chatClosedByUser = useRef(false);
  const toggleChat = useCallback(() => {
    const open = !chatOpen.current;
    rememberPanelOpen(open);
    chatClosedByUser.current = !open;
    setChat({ open, focus: open });
  }, []);
  useEffect(() => { // closed: focus back on the button that opens it
    if (chat.open || !chatClosedByUser.current) return;
    chatClosedByUser.current = false;
    chatButton.current?.focus();
  }, [chat.open]);
  const pendingDeletes = useRef(new Map<number, Task>());
  const [, setDeleteTick] = useState(0);
  const quickRef = useRef<HTMLInputElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const listAbort = useRef<AbortController | null>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const busy = useRef(new Set<number>()); // tasks with a completion request in flight
  const alive = useRef(true);
  useEffect(() => () => { alive.current = false; }, []);
  // the filters now, for callbacks that finish later (a debounce, a poll, a reload)
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const [focusId, setFocusId] = useState<number | null>(null);

  const navigate = useCallback((f: Filters) => router.replace(writeFilters(f), { scroll: false }), [router]);

  // --- loading ---
  // the sidebar's counts and tags, and the count of the current view; a newer refresh wins
  const sideSeq = useRef(0);
  const refreshSide = useCallback(() => {
    const seq = ++sideSeq.current;
    const key = writeFilters(filtersRef.current);
    Promise.all(VIEWS.map((v) => api.count({ status: 'pending', due: v.due || undefined })
      .then((r) => [v.due, r.count] as const)))
      .then((all) => { if (seq === sideSeq.current) setCounts(Object.fromEntries(all)); })
      .catch(() => {});
    api.tags().then((r) => { if (seq === sideSeq.current) setTags(r.items); }).catch(() => {});
    api.count(toQuery(filtersRef.current))
      .then((r) => { if (seq === sideSeq.current && key === writeFilters(filtersRef.current)) setTotal(r.count); })
      .catch(() => {});
  }, []);

  const load = useCallback(async (f: Filters) => {
    listAbort.current?.abort();
    const ac = new AbortController();
    listAbort.current = ac;
    setLoading(true);
    setLoadError('');
    try {
      const q = toQuery(f);
      const [page, count] = await Promise.all([
        api.list({ ...q, limit: PAGE }, ac.signal),
        api.count(q, ac.signal),
      ]);
      setItems(page.items);
      setCursor(page.next_cursor);
      setTotal(count.count);
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setLoadError(errorText(e));
    } finally {
      if (listAbort.current === ac) setLoading(false);
    }
  }, []);

  const reload = useCallback(() => {
    if (!alive.current) return;
    load(filtersRef.current);
    refreshSide();
  }, [load, refreshSide]);

  useEffect(() => { load(filters); }, [queryKey]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => { refreshSide(); }, [refreshSide]);
  // the URL's q changed from elsewhere (back button, clear filters): show it. Not when it is
  // the debounced echo of what is being typed, which may already be longer by now.
  const sentQ = useRef(filters.q);
  useEffect(() => {
    if (filters.q !== sentQ.current) setSearch(filters.q);
    sentQ.current = filters.q;
  }, [filters.q]);

  // reopen the editor the user was in when their session ended
  useEffect(() => {
    const d = loadDraft<{ taskId: number | null }>('editor');
    if (d) setEditor({ taskId: d.taskId ?? null });
  }, []);

  // search as you type, debounced
  useEffect(() => {
    if (search === filters.q) return;
    const t = setTimeout(() => {
      sentQ.current = search;
      navigate({ ...filtersRef.current, q: search }); // a filter clicked meanwhile stays
    }, 250);
    return () => clearTimeout(t);
  }, [search]); // eslint-disable-line react-hooks/exhaustive-deps

  const loadMore = useCallback(async () => {
    if (!cursor || loading) return;
    // shares the list's controller: a change of filters aborts it, so a page of the old
    // query is never appended to the new one
    const ac = listAbort.current ?? new AbortController();
    listAbort.current = ac;
    setLoading(true);
    try {
      const page = await api.list({ ...toQuery(filters), limit: PAGE, cursor }, ac.signal);
      if (ac.signal.aborted) return;
      setItems((all) => {
        const seen = new Set(all.map((t) => t.id));
        return [...all, ...page.items.filter((t) => !seen.has(t.id))];
      });
      setCursor(page.next_cursor);
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setLoadError(errorText(e));
    } finally {
      if (listAbort.current === ac) setLoading(false);
    }
  }, [cursor, loading, filters]);

  useEffect(() => {
    const el = sentinel.current;
    // after a failure, only the Load more button tries again (no request loop)
    if (!el || !cursor || loadError) return;
    const io = new IntersectionObserver((es) => { if (es.some((x) => x.isIntersecting)) loadMore(); },
      { rootMargin: '300px' });
    io.observe(el);
    return () => io.disconnect();
  }, [cursor, loadMore, loadError]);

  const visible = items.filter((t) => !pendingDeletes.current.has(t.id));
  // rows completed (or reopened) just now that no longer match the view's status: they stay,
  // struck through, until the list reloads, so the count of the view leaves them out and the
  // footer names them
  const lingering = filters.status === 'all' ? 0 : visible.filter((t) => t.status !== filters.status).length;
  const selected = visible.findIndex((t) => t.id === selectedId);

  // after a delete, focus goes to the row that took the deleted one's place
  useEffect(() => {
    if (focusId === null) return;
    const el = document.querySelector<HTMLElement>(`[data-task-id="${focusId}"] .title-btn`)
      ?? document.getElementById('quick-add');
    el?.focus();
    setFocusId(null);
  }, [focusId]);

  const replace = useCallback((t: Task) => setItems((all) => all.map((x) => (x.id === t.id ? t : x))), []);

  // --- live sync: what other tabs and devices change shows here at once (lib/live.ts) ---
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const liveReload = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(liveReload.current), []);
  const reloadSoon = useCallback(() => { // a burst of changes: one reload
    clearTimeout(liveReload.current);
    liveReload.current = setTimeout(reload, 100);
  }, [reload]);
  const onLiveChange = useCallback((c: LiveChange) => {
    if (pendingDeletes.current.has(c.task.id)) return; // hidden here while its undo is offered
    const shown = itemsRef.current.some((x) => x.id === c.task.id);
    if (c.op === 'deleted') {
      if (shown) setItems((all) => all.filter((x) => x.id !== c.task.id));
      refreshSide();
    } else if (shown) {
      replace(c.task);
      refreshSide();
    } else {
      reloadSoon(); // new, or changed into this view: the server knows where it goes
    }
  }, [replace, refreshSide, reloadSoon]);
  useLiveSync(session.token, onLiveChange, reload);

  // --- actions ---
  async function addQuick(p: Parsed): Promise<boolean> {
    setQuickError('');
    try {
      const t = await api.create(taskInputOf(p));
      toasts.show({ message: `Added “${t.title}”` });
      reload();
      return true;
    } catch (e) {
      setQuickError(errorText(e));
      return false;
    }
  }

  const watchSuccessor = useCallback(async (done: Task) => {
    const series = done.recurrence?.series_id;
    if (!series) return;
    // a series that ended (COUNT, UNTIL) has no next occurrence to wait for
    try {
      if (!(await api.get(done.id)).recurrence?.next_due_at) return;
    } catch {
      return;
    }
    const until = Date.now() + 15000;
    while (alive.current && Date.now() < until) {
      try {
        const page = await api.list({ status: 'pending', recurring: true, sort: '-created_at', limit: 20 });
        const next = page.items.find((t) => t.recurrence?.series_id === series && t.id !== done.id
          && Date.parse(t.created_at) >= Date.parse(done.updated_at) - 1000);
        if (next) {
          toasts.show({
            message: next.due_at ? `Next “${next.title}”: ${dueLabel(next.due_at, tz)}` : `Next “${next.title}” is ready`,
            ms: 8000,
          });
          reload();
          return;
        }
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }, [toasts, tz, reload]);

  const toggle = useCallback(async (t: Task) => {
    if (busy.current.has(t.id)) return; // one completion request per task at a time
    busy.current.add(t.id);
    const want = !t.completed;
    replace({ ...t, completed: want, status: want ? 'completed' : 'pending' });
    try {
      const updated = await api.complete(t.id, want);
      replace(updated);
      refreshSide();
      if (want) {
        toasts.show({
          message: `Completed “${t.title}”`,
          action: {
            label: 'Undo',
            run: async () => {
              try {
                replace(await api.complete(t.id, false));
                refreshSide();
              } catch (e) {
                toasts.show({ message: errorText(e) });
              }
            },
          },
        });
        if (updated.recurrence) watchSuccessor(updated);
      }
    } catch (e) {
      replace(t);
      toasts.show({ message: errorText(e) });
    } finally {
      busy.current.delete(t.id);
    }
  }, [replace, refreshSide, toasts, watchSuccessor]);

  const commitDelete = useCallback(async (t: Task) => {
    if (!pendingDeletes.current.has(t.id)) return;
    try {
      await api.remove(t.id);
      pendingDeletes.current.delete(t.id);
      setItems((all) => all.filter((x) => x.id !== t.id));
      refreshSide();
    } catch (e) {
      pendingDeletes.current.delete(t.id);
      setDeleteTick((n) => n + 1);
      if (!(e instanceof ApiError && e.status === 404)) toasts.show({ message: `Could not delete “${t.title}”: ${errorText(e)}` });
    }
  }, [refreshSide, toasts]);

  const visibleRef = useRef(visible);
  visibleRef.current = visible;
  const startDelete = useCallback((t: Task) => {
    const rows = visibleRef.current;
    const i = rows.findIndex((x) => x.id === t.id);
    const next = rows[i + 1] ?? rows[i - 1] ?? null;
    pendingDeletes.current.set(t.id, t);
    setDeleteTick((n) => n + 1);
    setEditor(null);
    clearDraft('editor'); // an editor's unsaved changes to a deleted task are moot
    setFocusId(next ? next.id : -1);
    if (next) setSelectedId(next.id);
    toasts.show({
      message: t.recurrence ? `Deleted “${t.title}” and ended its series` : `Deleted “${t.title}”`,
      ms: UNDO_MS,
      action: {
        label: 'Undo',
        run: () => {
          pendingDeletes.current.delete(t.id);
          setDeleteTick((n) => n + 1);
        },
      },
      onExpire: () => commitDelete(t),
    });
  }, [toasts, commitDelete]);

  const askDelete = useCallback((t: Task, fromEditor = false) => {
    if (t.recurrence && !t.completed) setConfirmSeries({ task: t, fromEditor });
    else startDelete(t);
  }, [startDelete]);
  const keepSeries = () => {
    if (confirmSeries?.fromEditor) setEditor({ taskId: confirmSeries.task.id });
    setConfirmSeries(null);
  };

  // A delete still in its undo window is sent when the user leaves: the page is hidden (the
  // last reliable moment on phones), closed, navigated away from, or the session ends.
  useEffect(() => {
    const flush = (s: Session) => {
      const ids = [...pendingDeletes.current.keys()];
      if (!ids.length) return;
      for (const id of ids) api.removeOnExit(s, id);
      pendingDeletes.current.clear();
      setItems((all) => all.filter((x) => !ids.includes(x.id))); // no row to come back
    };
    const now = () => flush(session);
    const onHidden = () => { if (document.visibilityState === 'hidden') now(); };
    window.addEventListener('pagehide', now);
    document.addEventListener('visibilitychange', onHidden);
    const off = onBeforeSessionEnd(flush);
    return () => {
      window.removeEventListener('pagehide', now);
      document.removeEventListener('visibilitychange', onHidden);
      off();
      now();
    };
  }, [session]);

  const toggleTag = useCallback((tag: string) => {
    const f = filtersRef.current;
    const has = f.tags.includes(tag);
    navigate({ ...f, tags: has ? f.tags.filter((x) => x !== tag) : [...f.tags, tag] });
  }, [navigate]);
  const openTask = useCallback((t: Task) => setEditor({ taskId: t.id }), []);

  // --- keyboard ---
  const stateRef = useRef({ visible, selected, editor, confirmSeries, showHelp });
  stateRef.current = { visible, selected, editor, confirmSeries, showHelp };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const st = stateRef.current;
      if (st.editor || st.confirmSeries || st.showHelp || e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTyping(e)) {
        if (e.key === 'Escape' && e.target === searchRef.current) searchRef.current?.blur();
        return;
      }
      const cur = st.visible[st.selected];
      const focusRow = (i: number) => {
        setSelectedId(st.visible[i]?.id ?? null);
        document.querySelector<HTMLElement>(`[data-task-id="${st.visible[i]?.id}"] .title-btn`)?.focus();
      };
      // a held key repeats: never complete, delete or undo more than once for it
      if (e.repeat && ['x', 'Delete', 'Backspace', 'z'].includes(e.key)) return;
      switch (e.key) {
        case 'n': e.preventDefault(); quickRef.current?.focus(); break;
        case 'N': e.preventDefault(); setEditor({ taskId: null }); break;
        case '/': e.preventDefault(); searchRef.current?.focus(); break;
        case 'j': case 'ArrowDown':
          if (st.visible.length) { e.preventDefault(); focusRow(Math.min(st.selected + 1, st.visible.length - 1)); }
          break;
        case 'k': case 'ArrowUp':
          if (st.visible.length) { e.preventDefault(); focusRow(Math.max(st.selected - 1, 0)); }
          break;
        case 'x': if (cur) { e.preventDefault(); toggle(cur); } break;
        case 'e': if (cur) { e.preventDefault(); setEditor({ taskId: cur.id }); } break;
        case 'Delete': case 'Backspace': if (cur) { e.preventDefault(); askDelete(cur); } break;
        case 'z': e.preventDefault(); toasts.actLatest(); break;
        case '?': e.preventDefault(); setShowHelp(true); break;
        case 'c': e.preventDefault(); toggleChat(); break;
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [toggle, askDelete, toasts, toggleChat]);

  // --- rendering ---
  const filtered = filters.q || filters.priority.length || filters.tags.length || filters.due || filters.status !== 'pending';
  const viewLabel = VIEWS.find((v) => v.due === filters.due)?.label ?? 'All';

  const sidebar = (
    <>
      <nav aria-label="Views">
        <ul>
          {VIEWS.map((v) => (
            <li key={v.due || 'all'}>
              <a href={writeFilters({ ...filters, due: v.due })} aria-current={filters.due === v.due ? 'page' : undefined}
                onClick={(e) => { e.preventDefault(); navigate({ ...filters, due: v.due }); }}>
                <span>{v.label}</span>
                <span className="count">{counts[v.due] ?? ''}{counts[v.due] !== undefined && <span className="sr-only"> open</span>}</span>
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <h2 id="tags-heading">Tags</h2>
      {tags.length === 0 ? <p className="hint" style={{ padding: '0 .6rem' }}>Add #tags to tasks to see them here.</p> : (
        <nav aria-labelledby="tags-heading">
          <ul>
            {tags.map((t) => (
              <li key={t.name}>
                <button type="button" className={'nav-item' + (filters.tags.includes(t.name) ? ' active' : '')}
                  aria-pressed={filters.tags.includes(t.name)} onClick={() => toggleTag(t.name)}>
                  <span>#{t.name}</span><span className="count">{t.count}</span>
                </button>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </>
  );

  const searchBox = (
    <>
      <label htmlFor="search" className="sr-only">Search tasks</label>
      <input id="search" ref={searchRef} type="search" className="input" placeholder="Search tasks   (press /)"
        value={search} onChange={(e) => setSearch(e.target.value)} autoComplete="off" />
    </>
  );

  return (
    <AppShell session={session} search={searchBox} sidebar={sidebar} panel={chat.open ? (
      <ChatPanel userId={session.user.id} focusOnOpen={chat.focus} onClose={toggleChat}
        onChanged={() => { reload(); refreshSide(); }}
        onOpenTask={(id) => { setSelectedId(id); setEditor({ taskId: id }); }} />
    ) : undefined}>
      <h1>{filters.q ? `Search: ${filters.q}` : viewLabel}</h1>
      <QuickAdd ref={quickRef} tz={tz} onAdd={addQuick} error={quickError} />
      <div className="toolbar" role="group" aria-label="Filters">
        <label htmlFor="f-status" className="sr-only">Status</label>
        <select id="f-status" className="select" value={filters.status}
          onChange={(e) => navigate({ ...filters, status: e.target.value as Filters['status'] })}>
          <option value="pending">Open</option>
          <option value="completed">Completed</option>
          <option value="all">Open and completed</option>
        </select>
        <span role="group" aria-label="Priority" style={{ display: 'inline-flex', gap: '.3rem' }}>
          {['high', 'medium', 'low'].map((p) => {
            const on = filters.priority.includes(p);
            return (
              <button key={p} type="button" className="chip" aria-pressed={on}
                onClick={() => navigate({ ...filters, priority: on ? filters.priority.filter((x) => x !== p) : [...filters.priority, p] })}>
                {p[0].toUpperCase() + p.slice(1)}
              </button>
            );
          })}
        </span>
        {filters.tags.map((t) => (
          <span key={t} className="chip">#{t}
            <button type="button" aria-label={`Remove tag filter ${t}`} onClick={() => toggleTag(t)}>✕</button>
          </span>
        ))}
        <span className="spacer" style={{ flex: 1 }} />
        <label htmlFor="f-sort" className="hint">Sort</label>
        <select id="f-sort" className="select" value={filters.sort}
          onChange={(e) => navigate({ ...filters, sort: e.target.value })}>
          {SORTS.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
        </select>
        <button type="button" className="btn" onClick={() => setEditor({ taskId: null })}>New task…</button>
        <button type="button" className="btn" ref={chatButton} onClick={toggleChat} aria-expanded={chat.open}
          aria-controls={chat.open ? 'chat-panel' : undefined} title="The assistant (c)">Assistant</button>
      </div>
      <p className="hint" role="status" aria-live="polite" id="list-count">
        {total === null ? '' : `${total} task${total === 1 ? '' : 's'}`}
        {filtered && total !== null ? ' match' : ''}
      </p>
      {loadError && (
        <div className="banner banner-error" role="alert">
          {loadError} <button type="button" className="btn btn-small" onClick={reload}>Try again</button>
        </div>
      )}
      {!loading && !loadError && visible.length === 0 ? (
        <div className="empty card">
          {filtered ? (
            <>
              <strong>Nothing matches.</strong>
              Try fewer filters or other words, or <button type="button" className="btn btn-small"
                onClick={() => { setSearch(''); navigate({ ...readFilters(new URLSearchParams()), sort: filters.sort }); }}>
                clear all filters</button>.
            </>
          ) : (
            <>
              <strong>No open tasks.</strong>
              Type one in the line above — for example “Call the dentist tomorrow at 10am #health” — and press Enter.
            </>
          )}
        </div>
      ) : (
        <ul className="task-list" aria-label="Tasks" aria-busy={loading}>
          {visible.map((t, i) => (
            <TaskRow key={t.id} task={t} tz={tz} selected={i === selected} onToggle={toggle}
              onOpen={openTask} onDelete={askDelete} onTag={toggleTag} onSelect={setSelectedId} />
          ))}
        </ul>
      )}
      <div className="list-footer">
        <span>
          {visible.length > 0 && total !== null ? `Showing ${visible.length - lingering} of ${total}` : ''}
          {lingering > 0 && total !== null
            ? ` · ${lingering} ${filters.status === 'pending' ? 'completed' : 'reopened'} just now` : ''}
        </span>
        {cursor && <button type="button" className="btn" onClick={loadMore} disabled={loading}>Load more</button>}
        <button type="button" className="btn btn-ghost btn-small" onClick={() => setShowHelp(true)}>Keyboard shortcuts <kbd>?</kbd></button>
      </div>
      <div ref={sentinel} aria-hidden="true" />

      {editor && (
        <TaskEditor taskId={editor.taskId} initial={editor.initial} tz={tz}
          onClose={() => setEditor(null)}
          onSaved={(t, created) => {
            setEditor(null);
            toasts.show({ message: created ? `Added “${t.title}”` : `Saved “${t.title}”` });
            if (created) reload(); else { replace(t); refreshSide(); }
          }}
          onDelete={(t) => { setEditor(null); askDelete(t, true); }}
          onShowHistory={(t) => router.push(`/history?task=${t.id}`)} />
      )}
      {confirmSeries && (
        <Dialog title="Delete this repeating task?" small role="alertdialog" onClose={keepSeries}
          initialFocus="[data-cancel]">
          <p>“{confirmSeries.task.title}” repeats. Deleting it ends the series: no more occurrences will be made.
            Completed occurrences and their history stay.</p>
          <div className="dialog-actions">
            <button type="button" className="btn" data-cancel onClick={keepSeries}>Keep it</button>
            <button type="button" className="btn btn-danger" onClick={() => { const t = confirmSeries.task; setConfirmSeries(null); startDelete(t); }}>
              Delete series
            </button>
          </div>
        </Dialog>
      )}
      {showHelp && (
        <Dialog title="Keyboard shortcuts" small onClose={() => setShowHelp(false)} initialFocus="button">
          <dl className="shortcuts">
            <dt><kbd>n</kbd></dt><dd>Quick add a task</dd>
            <dt><kbd>Shift</kbd>+<kbd>n</kbd></dt><dd>New task with all fields</dd>
            <dt><kbd>/</kbd></dt><dd>Search</dd>
            <dt><kbd>j</kbd> / <kbd>k</kbd></dt><dd>Next / previous task</dd>
            <dt><kbd>x</kbd></dt><dd>Complete or reopen the selected task</dd>
            <dt><kbd>e</kbd></dt><dd>Edit the selected task</dd>
            <dt><kbd>Delete</kbd> / <kbd>Backspace</kbd></dt><dd>Delete the selected task</dd>
            <dt><kbd>z</kbd></dt><dd>Undo the last completion or delete</dd>
            <dt><kbd>c</kbd></dt><dd>Open or close the assistant (<kbd>Esc</kbd> inside it closes it too)</dd>
            <dt><kbd>Ctrl</kbd>+<kbd>Enter</kbd></dt><dd>Save in the editor</dd>
            <dt><kbd>Esc</kbd></dt><dd>Close a dialog</dd>
          </dl>
          <div className="dialog-actions"><button type="button" className="btn" onClick={() => setShowHelp(false)}>Close</button></div>
        </Dialog>
      )}
    </AppShell>
  );
}
