'use client';
// The Settings page's security part: change the password (POST /api/auth/password: the
// server ends every other session and answers this one a fresh token) and sign out
// everywhere (POST /api/auth/logout-all, then this tab signs out too).
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, ApiError } from '@/lib/api';
import { clearAllDrafts } from '@/lib/drafts';
import { endSession, startSession } from '@/lib/session';

const asApiError = (err: unknown) =>
  err instanceof ApiError ? err : new ApiError(0, 'internal', 'Something went wrong.');

function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setDone(false);
    if (next !== again) {
      setError(new ApiError(422, 'validation_failed', 'The new passwords differ.',
        [{ field: 'new_password_again', message: 'Type the same new password twice.' }]));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      startSession(await api.changePassword({ current_password: current, new_password: next }));
      setCurrent('');
      setNext('');
      setAgain('');
      setDone(true);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }

  const fe = (f: string) => error?.field(f);
  const invalid = (f: string) => (fe(f) ? true : undefined);
  const described = (f: string, hint?: string) => (fe(f) ? `${f}-error` : hint);
  return (
    <form className="card" onSubmit={submit} style={{ maxWidth: 560, marginTop: '1rem' }} aria-labelledby="pw-title">
      <h2 id="pw-title">Password</h2>
      {error && !fe('current_password') && !fe('new_password') && !fe('new_password_again') &&
        <div className="banner banner-error" role="alert">{error.message}</div>}
      {done && <div className="banner banner-info" role="status">Password changed. Every other device is signed out.</div>}
      <div className="field">
        <label htmlFor="current_password">Current password</label>
        <input id="current_password" className="input" type="password" autoComplete="current-password" required
          value={current} onChange={(e) => setCurrent(e.target.value)}
          aria-invalid={invalid('current_password')} aria-describedby={described('current_password')} />
        {fe('current_password') && <span id="current_password-error" className="field-error">{fe('current_password')}</span>}
      </div>
      <div className="field">
        <label htmlFor="new_password">New password</label>
        <input id="new_password" className="input" type="password" autoComplete="new-password" required minLength={8}
          value={next} onChange={(e) => setNext(e.target.value)}
          aria-invalid={invalid('new_password')} aria-describedby={described('new_password', 'new_password-hint')} />
        {fe('new_password') ? <span id="new_password-error" className="field-error">{fe('new_password')}</span>
          : <span id="new_password-hint" className="hint">At least 8 characters.</span>}
      </div>
      <div className="field">
        <label htmlFor="new_password_again">New password again</label>
        <input id="new_password_again" className="input" type="password" autoComplete="new-password" required
          value={again} onChange={(e) => setAgain(e.target.value)}
          aria-invalid={invalid('new_password_again')} aria-describedby={described('new_password_again')} />
        {fe('new_password_again') && <span id="new_password_again-error" className="field-error">{fe('new_password_again')}</span>}
      </div>
      <p className="hint">Changing it signs you out on every other device.</p>
      <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Changing…' : 'Change password'}</button>
    </form>
  );
}

function SignOutEverywhere() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function signOutEverywhere() {
    setBusy(true);
    setError(null);
    try {
      await api.logoutAll(); // only once the server has ended them all does this tab say so
      clearAllDrafts();
      endSession();
      router.replace('/signin');
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  }

  return (
    <section className="card" style={{ maxWidth: 560, marginTop: '1rem' }} aria-labelledby="everywhere-title">
      <h2 id="everywhere-title">Devices</h2>
      {error && <div className="banner banner-error" role="alert">{error.message}</div>}
      <p className="hint">Signs out every browser and app signed in to this account, this one included.</p>
      <button type="button" className="btn btn-danger" onClick={signOutEverywhere} disabled={busy}>
        {busy ? 'Signing out…' : 'Sign out everywhere'}
      </button>
    </section>
  );
}

export default function SecuritySettings() {
  return (
    <>
      <PasswordForm />
      <SignOutEverywhere />
    </>
  );
}
