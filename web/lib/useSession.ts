'use client';
// The session as React state: null until read on the client (pages are prerendered without
// one), then the session or a redirect to sign-in that remembers where the user was.
import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { getSession, onSessionChange, type Session } from './session';

export function signInPath(expired: boolean): string {
  const here = window.location.pathname + window.location.search;
  const p = new URLSearchParams();
  if (here && here !== '/' && !here.startsWith('/signin') && !here.startsWith('/signup')) p.set('next', here);
  if (expired) p.set('expired', '1');
  const q = p.toString();
  return '/signin' + (q ? '?' + q : '');
}

/** The current session; sends the user to sign-in when there is none or it ends. */
export function useRequiredSession(): Session | null {
  const router = useRouter();
  const [session, setSession] = useState<Session | null>(null);
  useEffect(() => {
    const s = getSession();
    if (!s) {
      router.replace(signInPath(false));
      return;
    }
    setSession(s);
    return onSessionChange((next, why) => {
      if (next) setSession(next);
      else router.replace(why === 'expired' ? signInPath(true) : '/signin');
    });
  }, [router]);
  return session;
}
