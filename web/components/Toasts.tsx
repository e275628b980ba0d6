'use client';
// Short messages at the bottom of the screen, some with an action (Undo). They are announced
// to screen readers (role=status, polite) and stay while pointed at or focused. A message that
// appears under a pointer at rest is not being pointed at: it goes away in its time. While a
// dialog is open they sit below it (globals.css), so they never cover its buttons.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';

export interface Toast {
  id: number;
  message: string;
  action?: { label: string; run: () => void };
  ms?: number; // how long it stays; default 5000 with an action, else 3000
  onExpire?: () => void; // called when it goes away without its action
}

interface Ctx {
  show: (t: Omit<Toast, 'id'>) => number;
  /** Runs the action of the newest toast that has one (the Undo shortcut); false if none. */
  actLatest: () => boolean;
}

const ToastCtx = createContext<Ctx>({ show: () => 0, actLatest: () => false });
export const useToasts = () => useContext(ToastCtx);

let nextId = 1;

// where the pointer last moved, page-wide (ToastProvider keeps it)
let pointerAt = { x: NaN, y: NaN };

function ToastItem({ t, remove }: { t: Toast; remove: (id: number, expired: boolean) => void }) {
  const [paused, setPaused] = useState(false);
  // a browser reports a move when something appears under a still pointer: only a move away
  // from where the pointer was when this toast appeared means someone points at it
  const bornAt = useRef(pointerAt);
  const pointed = (e: React.PointerEvent) => {
    if (e.clientX !== bornAt.current.x || e.clientY !== bornAt.current.y) setPaused(true);
  };
  useEffect(() => {
    if (paused) return;
    const timer = setTimeout(() => remove(t.id, true), t.ms ?? (t.action ? 5000 : 3000));
    return () => clearTimeout(timer);
  }, [paused, t, remove]);
  return (
    <div className="toast" onPointerMove={pointed} onPointerLeave={() => setPaused(false)}
      onFocus={() => setPaused(true)} onBlur={() => setPaused(false)}>
      <span>{t.message}</span>
      <span style={{ display: 'flex', gap: '.4rem' }}>
        {t.action && (
          <button className="btn btn-small" onClick={() => { t.action!.run(); remove(t.id, false); }}>
            {t.action.label}
          </button>
        )}
        <button className="btn btn-small" aria-label="Dismiss" onClick={() => remove(t.id, true)}>✕</button>
      </span>
    </div>
  );
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(() => {
    const moved = (e: PointerEvent) => { pointerAt = { x: e.clientX, y: e.clientY }; };
    window.addEventListener('pointermove', moved, { capture: true, passive: true });
    return () => window.removeEventListener('pointermove', moved, { capture: true });
  }, []);
  const ref = useRef(toasts);
  ref.current = toasts;
  const remove = useCallback((id: number, expired: boolean) => {
    const t = ref.current.find((x) => x.id === id);
    if (!t) return;
    ref.current = ref.current.filter((x) => x.id !== id);
    setToasts(ref.current);
    if (expired) t.onExpire?.();
  }, []);
  const show = useCallback((t: Omit<Toast, 'id'>) => {
    const id = nextId++;
    // Plain messages: at most three on screen, the oldest dropped first. A toast with an
    // action (Undo) is never dropped early: its window is what makes the undo possible.
    let all = [...ref.current, { ...t, id }];
    while (all.length > 3) {
      const i = all.findIndex((x) => !x.action && x.id !== id);
      if (i < 0) break;
      all = all.filter((_, j) => j !== i);
    }
    ref.current = all;
    setToasts(all);
    return id;
  }, []);
  const actLatest = useCallback(() => {
    const t = [...ref.current].reverse().find((x) => x.action);
    if (!t) return false;
    t.action!.run();
    remove(t.id, false);
    return true;
  }, [remove]);
  return (
    <ToastCtx.Provider value={{ show, actLatest }}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => <ToastItem key={t.id} t={t} remove={remove} />)}
      </div>
    </ToastCtx.Provider>
  );
}
