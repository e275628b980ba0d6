'use client';
// Live sync (docs/decisions/0033-websocket-realtime.md): one WebSocket per open page to
// GET /ws, authenticated by its first message (never the URL; not the subprotocol either,
// whose refusal is an HTTP 401 the browser reports as a page error). A refused token
// (close 1008 other than "too slow") ends the retries: the page's own requests then find
// the session over.
// Each change another tab or device makes to this user's tasks arrives as
// {type: "task.changed", op, task}. The socket reconnects with backoff (0.5 s doubling, at
// most 5 s) when it drops, a server restart included; after a reconnect the page reloads
// what it shows, since changes made meanwhile were not pushed to it.
// {type: "notification"} pushes refresh the notification bell at once (its refresh hook,
// docs/decisions/0035-web-notifications.md), and so does a reconnect.
import { useEffect, useRef } from 'react';
import { refreshNotifications } from './notifications';
import type { Task } from './types';

export interface LiveChange {
  type: 'task.changed';
  op: 'created' | 'updated' | 'completed' | 'deleted';
  task: Task;
}

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 5000;

function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/ws`;
}

/** Calls onChange for every pushed change, and onResync after a reconnect. */
export function useLiveSync(token: string, onChange: (c: LiveChange) => void, onResync: () => void) {
  const handlers = useRef({ onChange, onResync });
  handlers.current = { onChange, onResync };
  useEffect(() => {
    if (typeof WebSocket === 'undefined') return;
    let ws: WebSocket | null = null;
    let stopped = false;
    let wasReady = false;
    let retries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      ws = new WebSocket(wsUrl());
      ws.onopen = () => ws?.send(JSON.stringify({ type: 'auth', token }));
      ws.onmessage = (e: MessageEvent) => {
        let m: { type?: string } | null = null;
        try { m = JSON.parse(String(e.data)); } catch { return; }
        if (m?.type === 'ready') {
          if (wasReady) {
            handlers.current.onResync();
            refreshNotifications();
          }
          wasReady = true;
          retries = 0;
        } else if (m?.type === 'task.changed') {
          handlers.current.onChange(m as LiveChange);
        } else if (m?.type === 'notification') {
          refreshNotifications();
        }
      };
      ws.onclose = (e: CloseEvent) => {
        ws = null;
        if (stopped || (e.code === 1008 && !e.reason.startsWith('too slow'))) return;
        const delay = Math.min(RETRY_FIRST_MS * 2 ** retries, RETRY_MAX_MS);
        retries++;
        timer = setTimeout(open, delay);
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      ws?.close(1000);
    };
  }, [token]);
}
