import type { Metadata, Viewport } from 'next';
import './globals.css';

export const metadata: Metadata = {
  title: 'Todo',
  description: 'Tasks with due dates, reminders, tags and repeats.',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#171b21' },
  ],
};

// Sets html[data-theme] before the first paint, so a dark-mode user never sees a white flash:
// the saved choice, else the system's, followed when the system switches (lib/theme.ts does
// the same after a change in the UI).
const THEME_SCRIPT = `try{var m=matchMedia('(prefers-color-scheme: dark)'),a=function(){var t=localStorage.getItem('todo.theme');document.documentElement.dataset.theme=t==='dark'||t==='light'?t:m.matches?'dark':'light'};a();m.addEventListener('change',a)}catch(e){}`;

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
