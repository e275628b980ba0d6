// The notifications and notification settings API (docs/openapi.json, tag "notifications"),
// and the one refresh signal the bell listens to: refreshNotifications() (or the
// NOTIFICATIONS_REFRESH event on window) makes every mounted bell read the server again at
// once. The bell polls on its own; the live push (the WebSocket) calls this when a
// {"type":"notification"} message arrives (docs/decisions/0035-web-notifications.md).
import { base, request } from './api';

export type Channel = 'in_app' | 'webhook' | 'ntfy' | 'email';
export const CHANNELS: Channel[] = ['in_app', 'webhook', 'ntfy', 'email'];

export interface Notification {
  id: number;
  task_id: number | null;
  title: string;
  body: string;
  remind_at: string | null;
  created_at: string;
  read_at: string | null;
}

export interface NotificationPage {
  items: Notification[];
  next_cursor: string | null;
}

export interface Settings {
  channels: Record<Channel, boolean>;
  webhook_url: string | null;
  webhook_secret_set: boolean;
  ntfy_url: string | null;
  email: string | null;
}

export interface SettingsUpdate {
  channels?: Partial<Record<Channel, boolean>>;
  webhook_url?: string | null;
  ntfy_url?: string | null;
  email?: string | null;
}

/** The most a page holds (the API's limit maximum); the bell shows "200+" past it. */
export const PAGE_MAX = 200;

export const notificationsApi = {
  list: (unread: boolean, limit = 50, signal?: AbortSignal) =>
    request<NotificationPage>('GET', `${base()}/notifications?${unread ? 'unread=true&' : ''}limit=${limit}`, { signal }),
  read: (id: number) => request<Notification>('POST', `${base()}/notifications/${id}/read`),
  readAll: () => request<{ updated: number }>('POST', `${base()}/notifications/read-all`),
  settings: () => request<Settings>('GET', `${base()}/settings`),
  saveSettings: (body: SettingsUpdate) => request<Settings>('PUT', `${base()}/settings`, { body }),
  newWebhookSecret: () => request<{ webhook_secret: string }>('POST', `${base()}/settings/webhook-secret`),
  test: (ch: Channel) => request<{ status: string }>('POST', `${base()}/settings/test/${ch}`),
};

/** The event on window that makes the bell refresh now. */
export const NOTIFICATIONS_REFRESH = 'todo:notifications-refresh';

/** Asks every mounted bell to read the server now (for the WebSocket's notification message). */
export function refreshNotifications(): void {
  if (typeof window !== 'undefined') window.dispatchEvent(new Event(NOTIFICATIONS_REFRESH));
}
