'use client';
// The editor's tags: chips with remove buttons and a text input that adds a tag on Enter,
// comma or space (lower-cased, 1–50 characters, at most 20, no duplicates), with the user's
// existing tags suggested in an ARIA combobox (listbox of options, arrow keys, Enter, click).
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';

interface Props {
  value: string[];
  onChange: (v: string[]) => void;
  suggestions: { name: string; count: number }[];
  error?: string;
  id?: string; // id of the text input
}

export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 50;
const MAX_SUGGESTIONS = 8;

/** The stored form of a typed tag, or a reason it cannot be one. */
function checkTag(raw: string, current: string[]): { tag: string } | { problem: string } {
  const tag = raw.trim().toLowerCase();
  if (!tag) return { problem: '' };
  if (/[\s,]/.test(tag)) return { problem: 'A tag cannot contain spaces or commas.' };
  if ([...tag].length > MAX_TAG_LENGTH) return { problem: `A tag can be at most ${MAX_TAG_LENGTH} characters.` };
  if (current.includes(tag)) return { problem: `“${tag}” is already a tag of this task.` };
  if (current.length >= MAX_TAGS) return { problem: `A task can have at most ${MAX_TAGS} tags.` };
  return { tag };
}

export default function TagInput({ value, onChange, suggestions, error, id }: Props) {
  const uid = useId();
  const inputId = id ?? `${uid}-input`;
  const listId = `${uid}-list`;
  const hintId = `${uid}-hint`;
  const msgId = `${uid}-msg`;
  const errorId = `${uid}-error`;
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [message, setMessage] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  const [refocus, setRefocus] = useState(0);

  useEffect(() => {
    if (refocus) inputRef.current?.focus();
  }, [refocus]);

  const prefix = text.trim().toLowerCase();
  const options = useMemo(() => suggestions
    .filter((s) => !value.includes(s.name) && s.name.startsWith(prefix))
    .slice(0, MAX_SUGGESTIONS), [suggestions, value, prefix]);
  const expanded = open && options.length > 0 && value.length < MAX_TAGS;
  const activeId = expanded && active >= 0 && active < options.length ? `${uid}-opt-${active}` : undefined;

  /** Adds the typed tags it can; returns the ones it could not add. */
  const addTags = (raws: string[]): string[] => {
    let next = value;
    let problem = '';
    const rejected: string[] = [];
    for (const raw of raws) {
      const r = checkTag(raw, next);
      if ('tag' in r) next = [...next, r.tag];
      else if (r.problem) {
        problem = r.problem;
        rejected.push(raw);
      }
    }
    if (next !== value) onChange(next);
    setMessage(problem);
    return rejected;
  };

  const commit = (raw: string) => {
    if (!addTags([raw]).length) {
      setText('');
      setActive(-1);
    }
  };

  const onInput = (v: string) => {
    setOpen(true);
    setActive(-1);
    if (/[\s,]/.test(v)) {
      // typed or pasted separators: add every complete piece, keep the last one typed
      const pieces = v.split(/[\s,]+/);
      const rest = pieces.pop() ?? '';
      const rejected = addTags(pieces.filter(Boolean));
      setText(rejected.length ? rejected[0] : rest);
      return;
    }
    setText(v);
    const r = checkTag(v, value);
    setMessage('problem' in r && r.problem && !r.problem.includes('already') ? r.problem : '');
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    // an input method is composing (Enter picks its candidate): the keys are not ours
    if (e.nativeEvent.isComposing || e.keyCode === 229) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        setOpen(true);
        if (options.length) setActive((a) => (a + 1) % options.length);
        break;
      case 'ArrowUp':
        e.preventDefault();
        setOpen(true);
        if (options.length) setActive((a) => (a <= 0 ? options.length - 1 : a - 1));
        break;
      case 'Enter':
        if (activeId) {
          e.preventDefault();
          commit(options[active].name);
        } else if (text.trim()) {
          e.preventDefault();
          commit(text);
        }
        break;
      case 'Escape':
        if (expanded) {
          e.preventDefault();
          e.stopPropagation(); // close the list, not the dialog
          e.nativeEvent.stopImmediatePropagation();
          setOpen(false);
          setActive(-1);
        }
        break;
      case 'Backspace':
        if (!text && value.length) {
          e.preventDefault();
          onChange(value.slice(0, -1));
          setMessage('');
        }
        break;
      default:
        break;
    }
  };

  const remove = (tag: string) => {
    onChange(value.filter((t) => t !== tag));
    setMessage('');
    setRefocus((n) => n + 1);
  };

  const describedBy = [hintId, message ? msgId : '', error ? errorId : ''].filter(Boolean).join(' ');

  return (
    <div className="field">
      <label htmlFor={inputId}>Tags</label>
      {value.length > 0 && (
        <ul className="chips" aria-label="Tags of this task">
          {value.map((t) => (
            <li key={t} className="chip">
              {t}
              <button type="button" aria-label={`Remove tag ${t}`} onClick={() => remove(t)}>
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="combo">
        <input id={inputId} ref={inputRef} className="input" type="text" autoComplete="off" spellCheck={false}
          role="combobox" aria-autocomplete="list" aria-expanded={expanded} aria-controls={listId}
          aria-activedescendant={activeId} aria-describedby={describedBy}
          aria-invalid={error || message ? true : undefined}
          value={text} placeholder={value.length >= MAX_TAGS ? '' : 'Add a tag'}
          onChange={(e) => onInput(e.target.value)} onKeyDown={onKey}
          onFocus={() => setOpen(true)}
          onBlur={() => {
            setOpen(false);
            setActive(-1);
            if (text.trim()) commit(text);
          }} />
        <ul id={listId} role="listbox" aria-label="Suggested tags" className="combo-list" hidden={!expanded}>
          {expanded && options.map((o, i) => (
            <li key={o.name} id={`${uid}-opt-${i}`} role="option" aria-selected={i === active}
              onMouseDown={(e) => e.preventDefault() /* keep focus in the input */}
              onMouseEnter={() => setActive(i)}
              onClick={() => commit(o.name)}>
              <span>{o.name}</span>
              <span className="hint">{o.count}</span>
            </li>
          ))}
        </ul>
      </div>
      <p id={hintId} className="hint">
        {value.length >= MAX_TAGS
          ? `This task has ${MAX_TAGS} tags, the most it can have.`
          : 'Press Enter, comma or space to add a tag; Backspace in the empty box removes the last one.'}
      </p>
      <p id={msgId} className="field-error" aria-live="polite">{message}</p>
      {error && <p id={errorId} className="field-error">{error}</p>}
    </div>
  );
}
