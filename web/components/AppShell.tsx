'use client';
// The frame of every signed-in page: a header (brand, the page's search box, theme, settings,
// sign out), a sidebar for the page's navigation, the main column, and a side panel column
// that later issues fill (the assistant's chat and the notification tray).
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { api } from '@/lib/api';
import { clearAllDrafts } from '@/lib/drafts';
import { endSession, getSession, type Session } from '@/lib/session';
import { effectiveTheme, setTheme } from '@/lib/theme';
import { MoonIcon, SunIcon } from './Icons';
import NotificationBell from './NotificationBell';

interface Props {
  session: Session;
  search?: ReactNode;
  sidebar?: ReactNode;
  panel?: ReactNode;
  children: ReactNode;
}

export default function AppShell({ session, search, sidebar, panel, children }: Props) {
  const router = useRouter();
  const [dark, setDark] = useState(false);
  // the theme in effect can change without us (the system switched, another page set it)
  useEffect(() => {
    const sync = () => setDark(effectiveTheme() === 'dark');
    sync();
    const mo = new MutationObserver(sync);
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => mo.disconnect();
  }, []);

  function toggleTheme() {
    setTheme(dark ? 'light' : 'dark');
  }

  function signOut() {
    const ending = getSession();
    clearAllDrafts(); // the next person at this tab must not see what was typed
    endSession(); // its last words (a pending delete) go out first
    if (ending) void api.logout(ending); // then the server ends the token too
    router.replace('/signin');
  }

  return (
    <>
      <a href="#main" className="skip-link">Skip to tasks</a>
      <header className="app-header">
        <Link href="/" className="brand">Todo</Link>
        {search && <div className="search">{search}</div>}
        <span className="spacer" />
        <div id="tray-slot"><NotificationBell session={session} /></div>
        <button type="button" className="icon-btn" onClick={toggleTheme}
          aria-label={dark ? 'Switch to light theme' : 'Switch to dark theme'} title="Theme">
          {dark ? <SunIcon /> : <MoonIcon />}
        </button>
        <Link href="/settings" className="btn btn-ghost" title={session.user.email}>
          <span>Settings</span><span className="sr-only"> for {session.user.name || session.user.email}</span>
        </Link>
        <button type="button" className="btn" onClick={signOut}>Sign out</button>
      </header>
      <div className={'shell' + (panel ? ' with-panel' : '') + (sidebar ? '' : ' no-sidebar')}>
        {sidebar && <aside className="sidebar" aria-label="Views and filters">{sidebar}</aside>}
        <main id="main" className="main" tabIndex={-1}>{children}</main>
        {panel && <aside className="side-panel" aria-label="Assistant and notifications">{panel}</aside>}
      </div>
    </>
  );
}
