// The API's shapes (../docs/openapi.json), as the UI uses them.

export type Priority = 'none' | 'low' | 'medium' | 'high';

export interface User {
  id: string;
  email: string;
  name: string;
  timezone: string;
  created_at: string;
}

export interface AuthAnswer {
  token: string;
  expires_at: string;
  user: User;
}

export interface Reminder {
  id?: number;
  before?: string; // ISO 8601 duration before due_at
  at?: string; // RFC 3339 instant
  remind_at?: string;
  state?: string;
}

export interface Recurrence {
  rule: string;
  from: 'due' | 'completion';
  series_id?: number;
  text?: string; // only on GET of one task
  next_due_at?: string; // only on GET of one task
}

export interface Task {
  id: number;
  title: string;
  description: string;
  completed: boolean;
  status: 'pending' | 'completed';
  priority: Priority;
  tags: string[];
  due_at: string | null;
  reminders: Reminder[];
  recurrence: Recurrence | null;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

/** The editable fields, as sent to POST / PUT / PATCH. */
export interface TaskInput {
  title?: string;
  description?: string;
  priority?: Priority;
  tags?: string[];
  due_at?: string | null;
  reminders?: { before?: string; at?: string }[];
  recurrence?: { rule: string; from: 'due' | 'completion' } | null;
  completed?: boolean;
}

export interface TaskPage {
  items: Task[];
  next_cursor: string | null;
}

export interface TagCount {
  name: string;
  count: number;
}

export interface HistoryEntry {
  event_id: string;
  type: string;
  at: string;
  changes: Record<string, { before?: unknown; after?: unknown }> | null;
}

export interface FieldError {
  field: string;
  message: string;
}

/** POST /api/{user_id}/assistant/parse: the built-in parser's reading of one line
 * (src/core/nlp.h). The first six keys are always there; the others only when given. */
export interface ParseResult {
  intent: string;
  title: string | null;
  due: string | null; // RFC 3339 with the zone's offset
  all_day: boolean;
  rrule: string | null;
  from_completion: boolean;
  description?: string;
  priority?: Priority;
  tags?: string[];
  reminders?: { before?: string; at?: string }[];
}

/** One tool the assistant ran in a turn, and what it gave back. */
export interface ToolCall {
  tool: string;
  arguments: Record<string, unknown> | null;
  result: {
    task_id?: number;
    status?: string;
    title?: string;
    tasks?: unknown[];
    tags?: unknown[];
    error?: { code?: string; message?: string };
  } | null;
}

export interface ChatAnswer {
  conversation_id: number;
  response: string;
  tool_calls: ToolCall[];
}

export interface ChatMessage {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  tool_calls: ToolCall[] | null;
  created_at: string;
}
