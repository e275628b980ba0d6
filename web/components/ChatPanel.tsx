'use client';
// The assistant's chat beside the list (a sheet over the bottom of narrow screens): type what
// to do in plain words, Enter sends (Shift+Enter a new line), each tool the assistant ran is
// shown as what changed with a link to the task. The conversation is the server's
// (POST /chat, GET /conversations/{id}/messages); its id is remembered per user so a reload
// goes on with it (docs/web.md, "The assistant").
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from '@/lib/api';
import { changeOf, changesTasks, rememberConversation, rememberedConversation } from '@/lib/chat';
import type { ToolCall } from '@/lib/types';

interface Props {
  userId: string;
  focusOnOpen: boolean; // opened by the user now (not restored by a reload)
  onClose: () => void;
  onChanged: () => void; // the assistant changed tasks: re-read the list
  onOpenTask: (id: number) => void;
}

interface Line {
  key: string;
  role: 'user' | 'assistant';
  content: string;
  toolCalls: ToolCall[];
}

const errorText = (e: unknown) => (e instanceof ApiError ? e.message : 'Something went wrong. Please try again.');

function Changes({ calls, onOpenTask }: { calls: ToolCall[]; onOpenTask: (id: number) => void }) {
  if (!calls.length) return null;
  return (
    <ul className="chat-changes" aria-label="What changed">
      {calls.map((tc, i) => {
        const c = changeOf(tc);
        return (
          <li key={i}>
            {c.text}{' '}
            {c.title && (c.taskId !== undefined
              ? <button type="button" className="link-btn" onClick={() => onOpenTask(c.taskId as number)}
                aria-label={`${c.title} (open task #${c.taskId})`}>“{c.title}”</button>
              : <span>“{c.title}”</span>)}
            {c.detail && <span className="hint">{c.title ? ': ' : ''}{c.detail}</span>}
          </li>
        );
      })}
    </ul>
  );
}

export default function ChatPanel({ userId, focusOnOpen, onClose, onChanged, onOpenTask }: Props) {
  const [conversation, setConversation] = useState<number | null>(() => rememberedConversation(userId));
  const [lines, setLines] = useState<Line[]>([]);
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(conversation !== null);
  const box = useRef<HTMLTextAreaElement>(null);
  const log = useRef<HTMLOListElement>(null);

  useEffect(() => { if (focusOnOpen) box.current?.focus(); }, [focusOnOpen]);

  // the remembered conversation, read back from the server
  useEffect(() => {
    const id = rememberedConversation(userId);
    if (id === null) return;
    let live = true;
    api.messages(id).then((r) => {
      if (!live) return;
      setLines(r.items.filter((m) => m.role === 'user' || m.role === 'assistant').map((m) => ({
        key: `m${m.id}`, role: m.role, content: m.content, toolCalls: m.tool_calls ?? [],
      })));
    }, (e) => {
      if (!live) return;
      if (e instanceof ApiError && e.status === 404) { // gone: start a new one
        rememberConversation(userId, null);
        setConversation(null);
      } else {
        setError(errorText(e));
      }
    }).finally(() => { if (live) setLoading(false); });
    return () => { live = false; };
  }, [userId]);

  // the newest line in view
  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines, sending]);

  const send = useCallback(async () => {
    const message = text.trim();
    if (!message || sending) return;
    setSending(true);
    setError('');
    const mine: Line = { key: `u${Date.now()}`, role: 'user', content: message, toolCalls: [] };
    setLines((l) => [...l, mine]);
    setText('');
    try {
      const a = await api.chat(message, conversation);
      setConversation(a.conversation_id);
      rememberConversation(userId, a.conversation_id);
      setLines((l) => [...l, { key: `a${Date.now()}`, role: 'assistant', content: a.response, toolCalls: a.tool_calls ?? [] }]);
      if (changesTasks(a.tool_calls)) onChanged();
    } catch (e) {
      setLines((l) => l.filter((x) => x !== mine));
      setText(message); // nothing is lost: send it again
      setError(errorText(e));
    } finally {
      setSending(false);
      box.current?.focus();
    }
  }, [text, sending, conversation, userId, onChanged]);

  function startOver() {
    rememberConversation(userId, null);
    setConversation(null);
    setLines([]);
    setError('');
    box.current?.focus();
  }

  function onKeyDown(e: React.KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  }

  return (
    // Escape anywhere in the panel closes it (a dialog it opened handles its own first)
    <section id="chat-panel" className="chat-panel" aria-labelledby="chat-heading"
      onKeyDown={(e) => { if (e.key === 'Escape' && !e.defaultPrevented) { e.preventDefault(); onClose(); } }}>
      <div className="chat-head">
        <h2 id="chat-heading">Assistant</h2>
        <button type="button" className="btn btn-small" onClick={startOver}
          disabled={sending || (lines.length === 0 && conversation === null)}>New conversation</button>
        <button type="button" className="icon-btn" onClick={onClose} aria-label="Close the assistant" title="Close (c or Esc)">✕</button>
      </div>
      <ol className="chat-log" ref={log} aria-label="Conversation" aria-live="polite" aria-busy={loading || sending}>
        {lines.length === 0 && !loading && (
          <li className="hint chat-empty">
            Say what to do: “add pay rent on the 1st of every month #bills”, “what is due this week?”,
            “complete the groceries task”.
          </li>
        )}
        {lines.map((l) => (
          <li key={l.key} className={`chat-msg chat-${l.role}`}>
            <span className="sr-only">{l.role === 'user' ? 'You:' : 'Assistant:'} </span>
            <p>{l.content}</p>
            <Changes calls={l.toolCalls} onOpenTask={onOpenTask} />
          </li>
        ))}
        {sending && <li className="chat-msg chat-assistant hint">Working on it…</li>}
      </ol>
      {error && <p className="field-error" role="alert">{error}</p>}
      <form className="chat-form" onSubmit={(e) => { e.preventDefault(); void send(); }}>
        <label htmlFor="chat-message" className="sr-only">Message the assistant</label>
        <textarea id="chat-message" ref={box} className="input" rows={2} value={text}
          placeholder="Ask or tell the assistant…"
          aria-describedby="chat-keys" onChange={(e) => setText(e.target.value)} onKeyDown={onKeyDown} />
        <span id="chat-keys" className="sr-only">Enter sends, Shift+Enter starts a new line, Escape closes the assistant.</span>
        <button type="submit" className="btn btn-primary" disabled={sending || !text.trim()}>Send</button>
      </form>
    </section>
  );
}
