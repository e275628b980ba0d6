'use client';
// Sign-in and sign-up: one form, field errors from the API next to their fields, then back
// to where the user was (?next=), where their unsaved input is waiting (lib/drafts.ts).
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { api, ApiError } from '@/lib/api';
import { getSession, onSessionChange, startSession } from '@/lib/session';
import { browserTimeZone } from '@/lib/time';

/** Where to go after signing in: a path of this site only. The browser's own URL parser
 * decides (it drops tabs and newlines, so "/\t/evil.example" is another host): anything that
 * does not resolve to this origin becomes "/". */
export function safeNext(n: string | null): string {
  if (!n || !n.startsWith('/') || typeof window === 'undefined') return '/';
  try {
    const u = new URL(n, window.location.origin);
    if (u.origin !== window.location.origin) return '/';
    return u.pathname + u.search + u.hash;
  } catch {
    return '/';
  }
}

export default function AuthForm({ mode }: { mode: 'signin' | 'signup' }) {
  const router = useRouter();
  const params = useSearchParams();
  const next = safeNext(params.get('next'));
  const expired = params.get('expired') === '1';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (getSession()) router.replace(next);
    // signed in in another tab meanwhile: carry on here too
    return onSessionChange((s) => { if (s) router.replace(next); });
  }, [router, next]);

  useEffect(() => {
    if (error) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], [role="alert"]')?.focus();
  }, [error]);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const a = mode === 'signin'
        ? await api.login({ email, password })
        : await api.signup({ email, password, name: name.trim() || undefined, timezone: browserTimeZone() });
      startSession(a);
      router.replace(next);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', 'Something went wrong.'));
      setBusy(false);
    }
  }

  const fe = (f: string) => error?.field(f);
  const general = error && !['email', 'password', 'name'].some((f) => fe(f)) ? error.message : '';
  const title = mode === 'signin' ? 'Sign in' : 'Create your account';

  return (
    <main className="auth-page" id="main">
      <h1>{title}</h1>
      {expired && mode === 'signin' && (
        <div className="banner banner-info" role="status">
          Your session has ended. Sign in again to carry on — what you were typing has been kept.
        </div>
      )}
      <form ref={formRef} className="card" onSubmit={submit} noValidate>
        {general && <div className="banner banner-error" role="alert" tabIndex={-1}>{general}</div>}
        {mode === 'signup' && (
          <div className="field">
            <label htmlFor="name">Name <span className="hint">(optional)</span></label>
            <input id="name" className="input" value={name} autoComplete="name"
              onChange={(e) => setName(e.target.value)} aria-invalid={fe('name') ? true : undefined}
              aria-describedby={fe('name') ? 'name-error' : undefined} />
            {fe('name') && <span id="name-error" className="field-error">{fe('name')}</span>}
          </div>
        )}
        <div className="field">
          <label htmlFor="email">Email</label>
          <input id="email" type="email" className="input" value={email} required autoComplete="email"
            onChange={(e) => setEmail(e.target.value)} aria-invalid={fe('email') ? true : undefined}
            aria-describedby={fe('email') ? 'email-error' : undefined} />
          {fe('email') && <span id="email-error" className="field-error">{fe('email')}</span>}
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input id="password" type="password" className="input" value={password} required
            autoComplete={mode === 'signin' ? 'current-password' : 'new-password'}
            onChange={(e) => setPassword(e.target.value)} aria-invalid={fe('password') ? true : undefined}
            aria-describedby={fe('password') ? 'password-error' : mode === 'signup' ? 'password-hint' : undefined} />
          {fe('password') ? <span id="password-error" className="field-error">{fe('password')}</span>
            : mode === 'signup' && <span id="password-hint" className="hint">At least 8 characters.</span>}
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy} style={{ width: '100%' }}>
          {busy ? 'Please wait…' : title}
        </button>
      </form>
      <p>
        {mode === 'signin'
          ? <>New here? <Link href={'/signup' + (next !== '/' ? '?next=' + encodeURIComponent(next) : '')}>Create an account</Link></>
          : <>Have an account? <Link href={'/signin' + (next !== '/' ? '?next=' + encodeURIComponent(next) : '')}>Sign in</Link></>}
      </p>
    </main>
  );
}
