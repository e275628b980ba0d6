// Light, dark or the system's choice, kept in localStorage; html[data-theme] always holds the
// theme in effect ("light" or "dark"), which the styles follow. The inline script in
// app/layout.tsx sets it before the first paint and follows the system while the choice is
// "system"; setTheme applies a change made in the UI.
export type Theme = 'system' | 'light' | 'dark';

export function getTheme(): Theme {
  try {
    const t = localStorage.getItem('todo.theme');
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

export function setTheme(t: Theme) {
  try {
    if (t === 'system') localStorage.removeItem('todo.theme');
    else localStorage.setItem('todo.theme', t);
  } catch {
    /* not kept, still applied */
  }
  const dark = t === 'dark' || (t === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

export function effectiveTheme(): 'light' | 'dark' {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}
