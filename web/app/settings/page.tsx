'use client';
// Settings: the name and time zone of the account (PATCH /api/auth/me), the theme, and
// notification channels (components/NotificationSettings.tsx), and security: the password
// and signing out everywhere (components/SecuritySettings.tsx).
import { useEffect, useMemo, useState } from 'react';
import AppShell from '@/components/AppShell';
import NotificationSettings from '@/components/NotificationSettings';
import SecuritySettings from '@/components/SecuritySettings';
import { api, ApiError } from '@/lib/api';
import { updateUser } from '@/lib/session';
import { useRequiredSession } from '@/lib/useSession';
import { browserTimeZone, timeZones } from '@/lib/time';
import { getTheme, setTheme, type Theme } from '@/lib/theme';

export default function Settings() {
  const session = useRequiredSession();
  const [name, setName] = useState('');
  const [tz, setTz] = useState('UTC');
  const [theme, setThemeState] = useState<Theme>('system');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const zones = useMemo(() => (typeof window === 'undefined' ? [] : timeZones()), []);

  useEffect(() => {
    if (!session) return;
    setName(session.user.name);
    setTz(session.user.timezone || 'UTC');
    setThemeState(getTheme());
    // the freshest copy (another device may have changed it)
    api.me().then((u) => { updateUser(u); setName(u.name); setTz(u.timezone); }).catch(() => {});
  }, [session?.user.id]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!session) return null;
  const here = browserTimeZone();

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const u = await api.updateMe({ name: name.trim(), timezone: tz });
      updateUser(u);
      setSaved(true);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', 'Something went wrong.'));
    } finally {
      setBusy(false);
    }
  }

  const fe = (f: string) => error?.field(f);
  return (
    <AppShell session={session}>
      <h1>Settings</h1>
      <form className="card" onSubmit={save} style={{ maxWidth: 560 }}>
        {error && !fe('name') && !fe('timezone') && <div className="banner banner-error" role="alert">{error.message}</div>}
        {saved && <div className="banner banner-info" role="status">Saved.</div>}
        <p className="hint">Signed in as {session.user.email}</p>
        <div className="field">
          <label htmlFor="s-name">Name</label>
          <input id="s-name" className="input" value={name} maxLength={200} autoComplete="name"
            onChange={(e) => { setName(e.target.value); setSaved(false); }}
            aria-invalid={fe('name') ? true : undefined} aria-describedby={fe('name') ? 's-name-error' : undefined} />
          {fe('name') && <span id="s-name-error" className="field-error">{fe('name')}</span>}
        </div>
        <div className="field">
          <label htmlFor="s-tz">Time zone</label>
          <select id="s-tz" className="select" value={tz} onChange={(e) => { setTz(e.target.value); setSaved(false); }}
            aria-invalid={fe('timezone') ? true : undefined} aria-describedby={fe('timezone') ? 's-tz-error' : 's-tz-hint'}>
            {!zones.includes(tz) && <option value={tz}>{tz}</option>}
            {zones.map((z) => <option key={z} value={z}>{z.replace(/_/g, ' ')}</option>)}
          </select>
          {fe('timezone') ? <span id="s-tz-error" className="field-error">{fe('timezone')}</span>
            : <span id="s-tz-hint" className="hint">Due dates, “today” and repeats follow this zone.</span>}
          {tz !== here && (
            <button type="button" className="btn btn-small" style={{ alignSelf: 'flex-start' }}
              onClick={() => { setTz(here); setSaved(false); }}>Use this device’s zone ({here})</button>
          )}
        </div>
        <fieldset>
          <legend>Theme</legend>
          {(['system', 'light', 'dark'] as Theme[]).map((t) => (
            <label key={t} className="checkbox" style={{ marginRight: '1rem' }}>
              <input type="radio" name="theme" value={t} checked={theme === t}
                onChange={() => { setThemeState(t); setTheme(t); }} />
              {t === 'system' ? 'Same as the system' : t[0].toUpperCase() + t.slice(1)}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
      </form>
      <NotificationSettings accountEmail={session.user.email} />
      <SecuritySettings />
    </AppShell>
  );
}
