// The quick-add line: "Pay rent tomorrow at 9am #bills !high" is read by the server's parser
// (POST /api/{user_id}/assistant/parse, the assistant's own, in the account's zone), so the
// line and the chat understand the same words (docs/decisions/0042). This module only turns
// the parser's answer into the task to create.
import type { ParseResult, TaskInput } from './types';

export interface QuickAdd {
  text: string; // the line this reading is of
  parsed: ParseResult;
  title: string; // '' when the line only describes a task (#tags, !priority, a date)
}

export function quickAddOf(text: string, parsed: ParseResult): QuickAdd {
  return { text, parsed, title: (parsed.title ?? '').trim() };
}

/** The body of POST /tasks for a reading with a title: every field the parser found. */
export function taskInputOf(q: QuickAdd): TaskInput {
  const p = q.parsed;
  const body: TaskInput = { title: q.title };
  if (p.description) body.description = p.description;
  if (p.priority) body.priority = p.priority;
  if (p.tags && p.tags.length) body.tags = p.tags;
  if (p.due) body.due_at = p.due;
  if (p.rrule) body.recurrence = { rule: p.rrule, from: p.from_completion ? 'completion' : 'due' };
  if (p.reminders && p.reminders.length) {
    body.reminders = p.reminders.map((r) => (r.before ? { before: r.before } : { at: r.at }));
  }
  return body;
}
