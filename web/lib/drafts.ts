// What the user is typing, kept in sessionStorage (this tab only) so that a session that
// ends mid-edit — the token expired, the server said 401 — sends them to sign-in and back
// without losing it. A draft is cleared once what it holds has been saved.

const PREFIX = 'todo.draft.';

export function loadDraft<T>(key: string): T | null {
  try {
    const raw = window.sessionStorage.getItem(PREFIX + key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

export function saveDraft(key: string, value: unknown) {
  try {
    window.sessionStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: the draft is only lost on a forced sign-in */
  }
}

export function clearDraft(key: string) {
  try {
    window.sessionStorage.removeItem(PREFIX + key);
  } catch {
    /* as above */
  }
}
