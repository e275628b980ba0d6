'use client';
// The Settings page's notification channels (GET/PUT /api/{user}/settings): in the app, a
// webhook (its URL, and a new signing secret shown once), ntfy (a topic URL: a phone push
// through the ntfy app) and e-mail, each with its switch and a "Send a test" button (POST
// .../settings/test/{channel}, 202). The server's 422 messages show under their field.
// See docs/decisions/0032-notification-settings.md and 0035-web-notifications.md.
import { useEffect, useState } from 'react';
import { ApiError } from '@/lib/api';
import { fieldSentence, sentence } from '@/lib/messages';
import { notificationsApi, type Channel, type Settings } from '@/lib/notifications';
import type { FieldError } from '@/lib/types';

type Urls = 'webhook_url' | 'ntfy_url' | 'email';
type Test = { ok: boolean; text: string } | undefined;

const asApiError = (err: unknown) =>
  err instanceof ApiError ? err : new ApiError(0, 'internal', 'Something went wrong.');

const CHANNEL_TEXT: Record<Channel, { legend: string; toggle: string; sent: string }> = {
  in_app: { legend: 'In the app', toggle: 'Show reminders under the bell', sent: 'Test sent: it is under the bell now.' },
  webhook: { legend: 'Webhook', toggle: 'Send reminders to a webhook', sent: 'Test queued: your receiver gets it in a moment.' },
  ntfy: { legend: 'ntfy (phone push)', toggle: 'Send reminders to ntfy', sent: 'Test queued: your ntfy topic gets it in a moment.' },
  email: { legend: 'E-mail', toggle: 'Send reminders by e-mail', sent: 'Test queued: the e-mail goes out in a moment.' },
};

/** The URL checks' messages go on from the field ("points at a loopback ...", ADR 0032). */
const aboutUrl = (d: FieldError, subject: string) =>
  sentence(`${subject} ${d.message.replace(new RegExp(`^${d.field} `), '')}`);

/** Which input a server field error belongs to, and its message as a sentence there. */
function fieldMessage(d: FieldError): { at: Urls | 'form'; text: string } {
  switch (d.field) {
    case 'webhook_url': return { at: 'webhook_url', text: aboutUrl(d, 'the webhook URL') };
    case 'ntfy_url': return { at: 'ntfy_url', text: aboutUrl(d, 'the ntfy URL') };
    case 'email': return { at: 'email', text: 'Enter one e-mail address, or leave it empty for your account’s address.' };
    case 'channels.webhook': return { at: 'webhook_url', text: 'Enter a webhook URL to turn the webhook on.' };
    case 'channels.ntfy': return { at: 'ntfy_url', text: 'Enter an ntfy topic URL to turn ntfy on.' };
    default: return { at: 'form', text: fieldSentence(d.field, d.message) };
  }
}

export default function NotificationSettings({ accountEmail }: { accountEmail: string }) {
  const [loaded, setLoaded] = useState<Settings | null>(null);
  const [channels, setChannels] = useState<Record<Channel, boolean>>({ in_app: true, webhook: false, ntfy: false, email: false });
  const [urls, setUrls] = useState<Record<Urls, string>>({ webhook_url: '', ntfy_url: '', email: '' });
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Urls | 'form', string>>>({});
  const [saved, setSaved] = useState(false);
  const [secret, setSecret] = useState('');
  const [tests, setTests] = useState<Partial<Record<Channel, Test>>>({});

  function show(s: Settings) {
    setLoaded(s);
    setChannels(s.channels);
    setUrls({ webhook_url: s.webhook_url ?? '', ntfy_url: s.ntfy_url ?? '', email: s.email ?? '' });
  }

  useEffect(() => {
    notificationsApi.settings().then(show).catch((e) => setErrors({ form: asApiError(e).message }));
  }, []);

  function edited() { setSaved(false); }

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setSaved(false);
    const opt = (v: string) => (v.trim() ? v.trim() : null);
    try {
      show(await notificationsApi.saveSettings({
        channels, webhook_url: opt(urls.webhook_url), ntfy_url: opt(urls.ntfy_url), email: opt(urls.email),
      }));
      setSaved(true);
    } catch (err) {
      const a = asApiError(err);
      const next: Partial<Record<Urls | 'form', string>> = {};
      for (const d of a.details) {
        const m = fieldMessage(d);
        next[m.at] = next[m.at] ?? m.text;
      }
      if (!a.details.length) next.form = a.message;
      setErrors(next);
    } finally {
      setBusy(false);
    }
  }

  async function newSecret() {
    setSecret('');
    try {
      setSecret((await notificationsApi.newWebhookSecret()).webhook_secret);
      if (loaded) setLoaded({ ...loaded, webhook_secret_set: true });
    } catch (err) {
      setErrors((x) => ({ ...x, form: asApiError(err).message }));
    }
  }

  async function sendTest(ch: Channel) {
    setTests((t) => ({ ...t, [ch]: undefined }));
    try {
      await notificationsApi.test(ch);
      setTests((t) => ({ ...t, [ch]: { ok: true, text: CHANNEL_TEXT[ch].sent } }));
    } catch (err) {
      const a = asApiError(err);
      const noUrl = a.status === 422 && a.details.some((d) => d.field === 'channel');
      setTests((t) => ({ ...t, [ch]: { ok: false, text: noUrl ? 'Save a URL for this channel first.' : sentence(a.message) } }));
    }
  }

  function urlField(f: Urls, label: string, type: string, placeholder: string, hint?: string) {
    const err = errors[f];
    return (
      <div className="field">
        <label htmlFor={`n-${f}`}>{label}</label>
        <input id={`n-${f}`} className="input" type={type} inputMode={type === 'email' ? 'email' : 'url'} value={urls[f]}
          placeholder={placeholder} maxLength={f === 'email' ? 254 : 2048} autoComplete="off" spellCheck={false}
          onChange={(e) => { setUrls({ ...urls, [f]: e.target.value }); edited(); }}
          aria-invalid={err ? true : undefined} aria-describedby={err ? `n-${f}-error` : hint ? `n-${f}-hint` : undefined} />
        {err ? <span id={`n-${f}-error`} className="field-error">{err}</span>
          : hint && <span id={`n-${f}-hint`} className="hint">{hint}</span>}
      </div>
    );
  }

  function channel(ch: Channel, extra?: React.ReactNode) {
    const t = tests[ch];
    return (
      <fieldset key={ch}>
        <legend>{CHANNEL_TEXT[ch].legend}</legend>
        <div className="channel-toggle">
          <label className="checkbox">
            <input type="checkbox" checked={channels[ch]}
              onChange={(e) => { setChannels({ ...channels, [ch]: e.target.checked }); edited(); }} />
            {CHANNEL_TEXT[ch].toggle}
          </label>
        </div>
        {extra}
        <div className="channel-actions">
          <button type="button" className="btn btn-small" onClick={() => sendTest(ch)}
            aria-label={`Send a test: ${CHANNEL_TEXT[ch].legend}`}>Send a test</button>
          <span role="status" className={t && !t.ok ? 'field-error' : 'hint'}>{t?.text ?? ''}</span>
        </div>
      </fieldset>
    );
  }

  const secretBlock = (
    <div className="field">
      <span className="label">Signing secret</span>
      <span className="hint">
        {loaded?.webhook_secret_set ? 'Set: each webhook carries X-Todo-Signature.' : 'None: webhooks go out unsigned.'}
      </span>
      <button type="button" className="btn btn-small channel-secret" onClick={newSecret}>
        {loaded?.webhook_secret_set ? 'Replace the secret' : 'New secret'}
      </button>
      {secret && (
        <div className="banner banner-info" role="status">
          <label htmlFor="n-secret">Your new webhook secret (shown only this once: copy it to your receiver now)</label>
          <div className="secret-once">
            <input id="n-secret" className="input" readOnly value={secret} onFocus={(e) => e.target.select()} />
            <button type="button" className="btn btn-small"
              onClick={() => { void navigator.clipboard?.writeText(secret).catch(() => {}); }}>Copy</button>
          </div>
        </div>
      )}
    </div>
  );

  return (
    <form className="card channels-card" onSubmit={save} aria-labelledby="n-title" noValidate>
      <h2 id="n-title">Notifications</h2>
      <p className="hint">Where reminders reach you. A test uses the saved settings, on or off.</p>
      {errors.form && <div className="banner banner-error" role="alert">{errors.form}</div>}
      {channel('in_app')}
      {channel('webhook', <>
        {urlField('webhook_url', 'Webhook URL', 'url', 'https://example.com/hooks/todo')}
        {secretBlock}
      </>)}
      {channel('ntfy', urlField('ntfy_url', 'ntfy topic URL', 'url', 'https://ntfy.sh/your-topic',
        'Subscribe to this topic in the ntfy app to get reminders as phone pushes.'))}
      {channel('email', urlField('email', 'E-mail address', 'email', accountEmail,
        `Empty: your account’s address (${accountEmail}).`))}
      {saved && <div className="banner banner-info" role="status">Channels updated.</div>}
      <button type="submit" className="btn btn-primary" disabled={busy || !loaded}>
        {busy ? 'Saving…' : 'Save notification settings'}
      </button>
    </form>
  );
}
