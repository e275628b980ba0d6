// The HTTP client for /api: JSON in and out, the bearer token, ETags, and the API's error
// shape turned into ApiError (code, message, details[].field). A 401 on anything but
// sign-in/sign-up ends the session (lib/session.ts). Sign-out ends the session on the server
// too (POST /api/auth/logout), after the requests the ending session still had to send.
import { expire, getSession, type Session } from './session';
import { fieldSentence, sentence } from './messages';
import type {
  AuthAnswer, ChatAnswer, ChatMessage, FieldError, HistoryEntry, ParseResult, TagCount, Task, TaskInput, TaskPage,
  User,
} from './types';

export class ApiError extends Error {
  status: number;
  code: string;
  details: FieldError[];
  /** message: the API's; kept as a sentence for people (lib/messages.ts), built from the
   * details when there are some. details stay as the API sent them. */
  constructor(status: number, code: string, message: string, details: FieldError[] = []) {
    super(details.length
      ? [...new Set(details.map((d) => fieldSentence(d.field, d.message)))].join(' ')
      : sentence(message));
    this.status = status;
    this.code = code;
    this.details = details;
  }
  /** The message for one field, as a sentence, if the server named it. */
  field(name: string): string | undefined {
    const d = this.details.find((x) => x.field === name || x.field.startsWith(name + '.') || x.field.startsWith(name + '['));
    return d && fieldSentence(d.field, d.message);
  }
}

interface Options {
  body?: unknown;
  ifMatch?: number;
  signal?: AbortSignal;
  auth?: boolean; // default true
}

export async function request<T>(method: string, path: string, opts: Options = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`;
  const auth = opts.auth !== false;
  if (auth) {
    const s = getSession();
    if (!s) {
      expire();
      throw new ApiError(401, 'unauthorized', 'Your session has ended. Please sign in again.');
    }
    headers.Authorization = `Bearer ${s.token}`;
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
      cache: 'no-store',
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  let json: unknown = null;
  const text = await res.text();
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: FieldError[] } } | null)?.error;
    const e = new ApiError(res.status, err?.code ?? 'http_' + res.status,
      err?.message ?? `The server answered ${res.status}.`, err?.details ?? []);
    if (res.status === 401 && auth) expire();
    throw e;
  }
  return json as T;
}

/** The signed-in user's path prefix, or '' when signed out: request(), called in the same
 * tick, then finds no session either and rejects with a 401 (never a synchronous throw). */
export function base(): string {
  const s = getSession();
  return s ? `/api/${encodeURIComponent(s.user.id)}` : '';
}

/** The list query the UI builds (API.md, "List query"). */
export interface ListQuery {
  q?: string;
  status?: 'all' | 'pending' | 'completed';
  priority?: string[];
  tags?: string[];
  due?: string;
  recurring?: boolean;
  sort?: string;
  limit?: number;
  cursor?: string | null;
}

export function queryString(q: ListQuery): string {
  const p = new URLSearchParams();
  if (q.q && q.q.trim()) p.set('q', q.q.trim());
  if (q.status && q.status !== 'all') p.set('status', q.status);
  if (q.priority && q.priority.length) p.set('priority', q.priority.join(','));
  if (q.tags && q.tags.length) p.set('tags', q.tags.join(','));
  if (q.due) p.set('due', q.due);
  if (q.recurring !== undefined) p.set('recurring', String(q.recurring));
  if (q.sort) p.set('sort', q.sort);
  if (q.limit) p.set('limit', String(q.limit));
  if (q.cursor) p.set('cursor', q.cursor);
  const s = p.toString();
  return s ? '?' + s : '';
}

/** Requests sent on the way out (a pending delete while the session ends): sign-out waits for
 * them, so the server never sees the token revoked before they arrive. */
const lastWords = new Set<Promise<unknown>>();

function sendOnExit(path: string, init: RequestInit): Promise<void> {
  const p = fetch(path, { ...init, keepalive: true, cache: 'no-store' }).then(() => {}, () => {});
  lastWords.add(p);
  p.finally(() => lastWords.delete(p));
  return p;
}

export const api = {
  signup: (body: { email: string; password: string; name?: string; timezone?: string }) =>
    request<AuthAnswer>('POST', '/api/auth/signup', { body, auth: false }),
  login: (body: { email: string; password: string }) =>
    request<AuthAnswer>('POST', '/api/auth/login', { body, auth: false }),
  me: () => request<User>('GET', '/api/auth/me'),
  updateMe: (body: { name?: string; timezone?: string }) => request<User>('PATCH', '/api/auth/me', { body }),
  /** POST /api/auth/password: a fresh token for this session; every other session ends. */
  changePassword: (body: { current_password: string; new_password: string }) =>
    request<AuthAnswer>('POST', '/api/auth/password', { body }),
  /** POST /api/auth/logout-all: every session of the user ends, this one included. */
  logoutAll: () => request<void>('POST', '/api/auth/logout-all'),
  /** Ends a session that was just ended here (s is its last value) on the server too, once
   * what it still had to send is out. Never rejects: the local sign-out stands regardless. */
  logout: async (s: Session) => {
    await Promise.allSettled([...lastWords]);
    await sendOnExit('/api/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${s.token}` } });
  },

  list: (q: ListQuery, signal?: AbortSignal) => request<TaskPage>('GET', `${base()}/tasks${queryString(q)}`, { signal }),
  count: (q: ListQuery, signal?: AbortSignal) =>
    request<{ count: number }>('GET', `${base()}/tasks/count${queryString({ ...q, sort: undefined, limit: undefined, cursor: undefined })}`, { signal }),
  get: (id: number) => request<Task>('GET', `${base()}/tasks/${id}`),
  create: (body: TaskInput) => request<Task>('POST', `${base()}/tasks`, { body }),
  patch: (id: number, body: TaskInput, ifMatch?: number) => request<Task>('PATCH', `${base()}/tasks/${id}`, { body, ifMatch }),
  complete: (id: number, completed: boolean) => request<Task>('PATCH', `${base()}/tasks/${id}/complete`, { body: { completed } }),
  remove: (id: number, ifMatch?: number) => request<void>('DELETE', `${base()}/tasks/${id}`, { ifMatch }),
  history: (id: number) => request<{ items: HistoryEntry[] }>('GET', `${base()}/tasks/${id}/history`),
  tags: () => request<{ items: TagCount[] }>('GET', `${base()}/tags`),
  /** The server's parser on a quick-add line (every line a task to add), in the account's
   * zone; changes nothing. */
  parseQuickAdd: (text: string, signal?: AbortSignal) =>
    request<ParseResult>('POST', `${base()}/assistant/parse`, { body: { text, mode: 'quick_add' }, signal }),
  /** One assistant turn; a new conversation when conversationId is null. */
  chat: (message: string, conversationId: number | null) =>
    request<ChatAnswer>('POST', `${base()}/chat`, {
      body: conversationId === null ? { message } : { conversation_id: conversationId, message },
    }),
  messages: (conversationId: number) =>
    request<{ items: ChatMessage[] }>('GET', `${base()}/conversations/${conversationId}/messages`),
  /** A DELETE that outlives the page (sent while it closes or the session ends); no answer. */
  removeOnExit: (s: Session, id: number) => {
    sendOnExit(`/api/${encodeURIComponent(s.user.id)}/tasks/${id}`, {
      method: 'DELETE', headers: { Authorization: `Bearer ${s.token}` },
    });
  },
};
