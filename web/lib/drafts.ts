// What the user is typing, kept in sessionStorage (this tab only) so that a session that
// ends mid-edit — the token expired, the server said 401 — sends them to sign-in and back
// without losing it. Drafts belong to the signed-in user (another user signing in on the
// same tab never sees them) and a sign-out clears them. A draft is cleared once what it
// holds has been saved.
import { getSession } from './session';

const PREFIX = 'todo.draft.';

function fullKey(key: string): string {
  return `${PREFIX}${getSession()?.user.id ?? 'anonymous'}.${key}`;
}

/** Every draft of every user in this tab (on sign-out). */
export function clearAllDrafts() {
  try {
    const ss = window.sessionStorage;
    for (let i = ss.length - 1; i >= 0; i--) {
      const k = ss.key(i);
      if (k && k.startsWith(PREFIX)) ss.removeItem(k);
    }
  } catch {
    /* storage disabled: nothing kept */
  }
}

export function loadDraft<T>(key: string): T | null {
  try {
    const raw = window.sessionStorage.getItem(fullKey(key));
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

export function saveDraft(key: string, value: unknown) {
  try {
    window.sessionStorage.setItem(fullKey(key), JSON.stringify(value));
  } catch {
    /* storage full or disabled: the draft is only lost on a forced sign-in */
  }
}

export function clearDraft(key: string) {
  try {
    window.sessionStorage.removeItem(fullKey(key));
  } catch {
    /* as above */
  }
}
