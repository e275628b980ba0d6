// The signed-in session: the token lives in memory and in localStorage together with its
// expiry, so a reload keeps you signed in until the token expires and no longer. An expired
// or refused token ends the session; listeners (the app shell) send the user to sign-in,
// while what they were typing stays in sessionStorage (lib/drafts.ts).
import type { AuthAnswer, User } from './types';

const KEY = 'todo.session';

export interface Session {
  token: string;
  expiresAt: number; // ms since the epoch
  user: User;
}

let current: Session | null | undefined; // undefined = not read from storage yet
let expiryTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<(s: Session | null, why: 'signin' | 'signout' | 'expired') => void>();
const beforeEnd = new Set<(s: Session) => void>();

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null;
  }
}

function arm(s: Session | null) {
  if (expiryTimer) clearTimeout(expiryTimer);
  expiryTimer = undefined;
  if (!s) return;
  // setTimeout's delay is a signed 32-bit number of ms: re-arm for far-away expiries
  const ms = Math.min(s.expiresAt - Date.now(), 2 ** 31 - 1);
  expiryTimer = setTimeout(() => {
    if (current && current.expiresAt <= Date.now()) expire();
    else arm(current ?? null);
  }, Math.max(ms, 0));
}

export function getSession(): Session | null {
  if (current === undefined) {
    current = null;
    const raw = storage()?.getItem(KEY);
    if (raw) {
      try {
        const s = JSON.parse(raw) as Session;
        if (s && typeof s.token === 'string' && s.expiresAt > Date.now() && s.user?.id) current = s;
        else storage()?.removeItem(KEY);
      } catch {
        storage()?.removeItem(KEY);
      }
    }
    arm(current);
  }
  if (current && current.expiresAt <= Date.now()) {
    expire();
    return null;
  }
  return current;
}

function save(s: Session | null, why: 'signin' | 'signout' | 'expired') {
  // last words while the token is still known (a pending delete is sent, for instance)
  if (!s && current) for (const fn of beforeEnd) fn(current);
  current = s;
  if (s) storage()?.setItem(KEY, JSON.stringify(s));
  else storage()?.removeItem(KEY);
  arm(s);
  for (const fn of listeners) fn(s, why);
}

/** The token's lifetime in ms from its own iat/exp claims, or null. The expiry is kept as
 * now + lifetime rather than the server's expires_at, so a client clock that is off by
 * hours neither ends the session at once nor keeps a dead one. */
function tokenLifetime(token: string): number | null {
  try {
    const part = token.split('.')[1];
    const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as { iat?: number; exp?: number };
    if (typeof json.iat === 'number' && typeof json.exp === 'number' && json.exp > json.iat) {
      return (json.exp - json.iat) * 1000;
    }
  } catch {
    /* not a JWT we can read: fall back to expires_at */
  }
  return null;
}

export function startSession(a: AuthAnswer) {
  const life = tokenLifetime(a.token);
  const exp = life !== null ? Date.now() + life : Date.parse(a.expires_at);
  save({ token: a.token, expiresAt: Number.isFinite(exp) ? exp : Date.now() + 3600e3, user: a.user }, 'signin');
}

export function updateUser(u: User) {
  const s = getSession();
  if (s) save({ ...s, user: u }, 'signin');
}

export function endSession() {
  save(null, 'signout');
}

/** The token was refused or ran out: the session ends and listeners send the user to sign-in. */
export function expire() {
  if (current === null) return;
  save(null, 'expired');
}

/** Called with the ending session just before it ends (sign-out, expiry, a 401). */
export function onBeforeSessionEnd(fn: (s: Session) => void) {
  beforeEnd.add(fn);
  return () => { beforeEnd.delete(fn); };
}

export function onSessionChange(fn: (s: Session | null, why: 'signin' | 'signout' | 'expired') => void) {
  listeners.add(fn);
  // another tab signed in or out
  const onStorage = (e: StorageEvent) => {
    if (e.key !== KEY) return;
    current = undefined;
    const s = getSession();
    fn(s, s ? 'signin' : 'signout');
  };
  if (typeof window !== 'undefined') window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(fn);
    if (typeof window !== 'undefined') window.removeEventListener('storage', onStorage);
  };
}
