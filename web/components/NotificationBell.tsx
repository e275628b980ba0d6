'use client';
// The notification bell in the header: the unread count (GET .../notifications?unread=true),
// and a panel with the newest notifications, "Mark read" on each and "Mark all read". It reads
// the server every 30 s, when the tab comes back into view, and at once on
// refreshNotifications() (lib/notifications.ts; the WebSocket's hook). A notification that
// arrives while the page is open also shows as a system notification when the user allowed
// them; permission is asked only from the panel's button (a user gesture).
// See docs/decisions/0035-web-notifications.md.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Session } from '@/lib/session';
import { fullLabel } from '@/lib/time';
import {
  notificationsApi, NOTIFICATIONS_REFRESH, PAGE_MAX, type Notification,
} from '@/lib/notifications';
import { BellIcon } from './Icons';

const POLL_MS = 30_000;
const SYSTEM_MAX = 3; // at most this many system notifications per refresh

type Permission = NotificationPermission | 'unsupported';

function permissionNow(): Permission {
  return typeof window !== 'undefined' && 'Notification' in window ? window.Notification.permission : 'unsupported';
}

export default function NotificationBell({ session }: { session: Session }) {
  const [unread, setUnread] = useState<number | null>(null);
  const [more, setMore] = useState(false); // more unread than one page holds
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<Notification[] | null>(null);
  const [error, setError] = useState('');
  const [permission, setPermission] = useState<Permission>('unsupported');
  const [announce, setAnnounce] = useState('');
  const seen = useRef<number | null>(null); // the highest id seen; null before the first read
  const openRef = useRef(false);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const tz = session.user.timezone || 'UTC';

  const showSystem = useCallback((fresh: Notification[]) => {
    if (permissionNow() !== 'granted' || !fresh.length) return;
    for (const n of fresh.slice(0, SYSTEM_MAX)) {
      try {
        // the tag makes other open tabs' copies of it replace this one, not stack
        const sys = new window.Notification(n.title, { body: n.body, tag: `todo-notification-${n.id}` });
        sys.onclick = () => { window.focus(); setOpen(true); sys.close(); };
      } catch {
        // some browsers only allow them from a service worker: the bell still shows it
      }
    }
  }, []);

  const refresh = useCallback(async () => {
    try {
      const page = await notificationsApi.list(true, PAGE_MAX);
      setUnread(page.items.length);
      setMore(page.next_cursor !== null);
      const top = page.items.reduce((m, n) => Math.max(m, n.id), 0);
      if (seen.current !== null) {
        const fresh = page.items.filter((n) => n.id > (seen.current as number));
        if (fresh.length) {
          setAnnounce(fresh.length === 1 ? `New notification: ${fresh[0].title}` : `${fresh.length} new notifications`);
          showSystem(fresh);
        }
      }
      seen.current = Math.max(seen.current ?? 0, top);
      if (openRef.current) setItems((await notificationsApi.list(false, 50)).items);
      setError('');
    } catch {
      // the next refresh tries again; an ended session is handled by lib/api (sign-in)
      if (openRef.current) setError('Cannot load notifications right now.');
    }
  }, [showSystem]);

  useEffect(() => {
    setPermission(permissionNow());
    void refresh();
    const timer = window.setInterval(() => { if (document.visibilityState === 'visible') void refresh(); }, POLL_MS);
    const onVisible = () => { if (document.visibilityState === 'visible') void refresh(); };
    const onRefresh = () => void refresh();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener(NOTIFICATIONS_REFRESH, onRefresh);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener(NOTIFICATIONS_REFRESH, onRefresh);
    };
  }, [refresh, session.user.id]);

  useEffect(() => {
    openRef.current = open;
    if (!open) return;
    setItems(null);
    void refresh();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') { setOpen(false); button.current?.focus(); }
    };
    const onDown = (e: PointerEvent) => {
      const t = e.target as Node;
      if (!panel.current?.contains(t) && !button.current?.contains(t)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onDown);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onDown);
    };
  }, [open, refresh]);

  async function markRead(n: Notification) {
    try {
      const done = await notificationsApi.read(n.id);
      setItems((xs) => xs && xs.map((x) => (x.id === n.id ? done : x)));
      if (!n.read_at) setUnread((u) => (u === null ? u : Math.max(0, u - 1)));
      void refresh();
    } catch {
      setError('Could not mark it read. Try again.');
    }
  }

  async function markAll() {
    try {
      await notificationsApi.readAll();
      setUnread(0);
      setMore(false);
      button.current?.focus(); // the button that was pressed is now disabled
      void refresh();
    } catch {
      setError('Could not mark them read. Try again.');
    }
  }

  async function askPermission() {
    // from the click: browsers refuse (or quietly deny) a request made without a gesture
    const p = await window.Notification.requestPermission();
    setPermission(p);
  }

  const count = unread ?? 0;
  const shown = more ? `${PAGE_MAX}+` : String(count);
  const label = unread === null ? 'Notifications' : `Notifications, ${count ? shown : 'none'} unread`;
  return (
    <div className="notif">
      <button ref={button} type="button" className="icon-btn notif-bell" aria-label={label} title="Notifications"
        aria-expanded={open} aria-controls="notif-panel" onClick={() => setOpen((o) => !o)}>
        <BellIcon />
        {count > 0 && <span className="notif-count" aria-hidden="true" data-testid="unread-count">{shown}</span>}
      </button>
      <span className="sr-only" role="status">{announce}</span>
      {open && (
        <div ref={panel} id="notif-panel" className="notif-panel" role="region" aria-labelledby="notif-heading">
          <div className="notif-head">
            <h2 id="notif-heading">Notifications</h2>
            <button type="button" className="btn btn-small" onClick={markAll} disabled={count === 0}>Mark all read</button>
          </div>
          {permission === 'default' && (
            <p className="notif-permission">
              <button type="button" className="btn btn-small" onClick={askPermission}>Show reminders as system notifications</button>
            </p>
          )}
          {permission === 'denied' && (
            <p className="hint">System notifications are blocked for this site in the browser’s settings.</p>
          )}
          {error && <p className="field-error" role="alert">{error}</p>}
          {items === null ? <p className="hint">Loading…</p>
            : items.length === 0 ? <p className="hint">No notifications yet. Reminders show here when they fire.</p>
              : (
                <ul className="notif-list" aria-label="Newest first">
                  {items.map((n) => (
                    <li key={n.id} className={n.read_at ? 'read' : 'unread'}>
                      <div className="notif-text">
                        <strong>{n.title}</strong>{!n.read_at && <span className="sr-only"> (unread)</span>}
                        {n.body && <span className="notif-body">{n.body}</span>}
                        <span className="hint">{fullLabel(n.created_at, tz)}</span>
                      </div>
                      {!n.read_at && (
                        <button type="button" className="btn btn-small" onClick={() => markRead(n)}>
                          Mark read<span className="sr-only">: “{n.title}”</span>
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              )}
        </div>
      )}
    </div>
  );
}
