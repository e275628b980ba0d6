'use client';
// A modal dialog: role=dialog with aria-modal and a label, focus moved into it on open and
// kept inside (Tab wraps), Escape closes, focus returns to where it was on close.
import { useEffect, useRef, type ReactNode } from 'react';

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  small?: boolean;
  /** the element to focus first (a CSS selector inside the dialog); default: the first field */
  initialFocus?: string;
  role?: 'dialog' | 'alertdialog';
  /** close on a click outside (default); off for forms, where it would throw away input */
  closeOnBackdrop?: boolean;
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export default function Dialog({ title, onClose, children, small, initialFocus, role = 'dialog', closeOnBackdrop = true }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const el = ref.current;
    if (el) {
      const first = (initialFocus && el.querySelector<HTMLElement>(initialFocus))
        || el.querySelector<HTMLElement>('input, select, textarea')
        || el.querySelector<HTMLElement>(FOCUSABLE);
      (first ?? el).focus();
    }
    const onKey = (e: KeyboardEvent) => {
      // a control inside that used Escape itself (a list it closed) marks it handled
      // (not while an input method is composing: that Escape cancels the composition)
      if (e.key === 'Escape' && !e.defaultPrevented && !e.isComposing) {
        e.stopPropagation();
        closeRef.current();
      } else if (e.key === 'Tab' && ref.current) {
        const items = Array.from(ref.current.querySelectorAll<HTMLElement>(FOCUSABLE))
          .filter((n) => n.offsetParent !== null);
        if (!items.length) return;
        const first = items[0];
        const last = items[items.length - 1];
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      }
    };
    // bubble phase, after React's handlers, so defaultPrevented is seen
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (before && document.contains(before)) before.focus();
    };
  }, [initialFocus]);

  const titleId = useRef('dlg-' + Math.random().toString(36).slice(2)).current;
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => { if (closeOnBackdrop && e.target === e.currentTarget) onClose(); }}>
      <div ref={ref} className={'dialog' + (small ? ' dialog-small' : '')} role={role} aria-modal="true"
        aria-labelledby={titleId} tabIndex={-1}>
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </div>
  );
}
