// Light, dark or the system's choice, kept in localStorage and applied as html[data-theme]
// (the inline script in app/layout.tsx applies it before the first paint).
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
  if (t === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
}

export function effectiveTheme(): 'light' | 'dark' {
  const t = getTheme();
  if (t !== 'system') return t;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
