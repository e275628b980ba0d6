// The chat panel's pure parts: which conversation a user was in (remembered per user in
// localStorage, so a reload or a new tab goes on with it), and each tool call the assistant
// ran as what changed ("Added “Pay rent”"), for the panel to show with a link to the task.
import type { ToolCall } from './types';

const KEY = 'todo.chat.';

export function rememberedConversation(userId: string): number | null {
  try {
    const v = Number(window.localStorage.getItem(KEY + userId));
    return Number.isInteger(v) && v > 0 ? v : null;
  } catch {
    return null; // storage disabled: every reload starts afresh
  }
}

export function rememberConversation(userId: string, id: number | null) {
  try {
    if (id === null) window.localStorage.removeItem(KEY + userId);
    else window.localStorage.setItem(KEY + userId, String(id));
  } catch {
    /* storage disabled */
  }
}

/** Whether the panel was open (one flag per browser, like the theme). */
export function panelWasOpen(): boolean {
  try {
    return window.localStorage.getItem(KEY + 'open') === '1';
  } catch {
    return false;
  }
}

export function rememberPanelOpen(open: boolean) {
  try {
    window.localStorage.setItem(KEY + 'open', open ? '1' : '0');
  } catch {
    /* storage disabled */
  }
}

export interface Change {
  text: string; // "Added", "Could not complete"
  title?: string; // the task's title, linked when taskId is set
  taskId?: number; // set when the task still exists
  detail?: string; // "priority high", "3 tasks"
}

const VERBS: Record<string, [string, string]> = { // tool: [done, infinitive]
  add_task: ['Added', 'add'],
  update_task: ['Updated', 'update'],
  complete_task: ['Completed', 'complete'],
  reopen_task: ['Reopened', 'reopen'],
  delete_task: ['Deleted', 'delete'],
  list_tasks: ['Listed', 'list tasks'],
  list_tags: ['Listed', 'list tags'],
};

const WORDS: Record<string, string> = { due_at: 'due date' };

/** What an update changed, in words: "priority high, tags". */
function updated(args: Record<string, unknown>): string {
  return Object.entries(args)
    .filter(([k]) => k !== 'task_id' && k !== 'user_id')
    .map(([k, v]) => {
      const name = WORDS[k] ?? k.replace(/_/g, ' ');
      if (v === null) return `${name} cleared`;
      return typeof v === 'string' && k !== 'title' && k !== 'description' && v.length <= 20 ? `${name} ${v}` : name;
    })
    .join(', ');
}

export function changeOf(tc: ToolCall): Change {
  const [done, verb] = VERBS[tc.tool] ?? ['Ran', tc.tool.replace(/_/g, ' ')];
  const r = tc.result ?? {};
  const args = tc.arguments ?? {};
  if (r.error) return { text: `Could not ${verb}`, detail: r.error.message || r.error.code };
  if (tc.tool === 'list_tasks') {
    const n = Array.isArray(r.tasks) ? r.tasks.length : 0;
    return { text: done, detail: `${n} task${n === 1 ? '' : 's'}` };
  }
  if (tc.tool === 'list_tags') {
    const n = Array.isArray(r.tags) ? r.tags.length : 0;
    return { text: done, detail: `${n} tag${n === 1 ? '' : 's'}` };
  }
  const id = typeof r.task_id === 'number' ? r.task_id : undefined;
  const title = r.title ?? (id !== undefined ? `#${id}` : undefined);
  return {
    text: done,
    title,
    taskId: tc.tool === 'delete_task' ? undefined : id,
    detail: tc.tool === 'update_task' ? updated(args) || undefined : undefined,
  };
}

/** Tools that change tasks (the list reloads after an answer that ran one). */
export function changesTasks(calls: ToolCall[] | null | undefined): boolean {
  return !!calls && calls.some((c) => c.tool !== 'list_tasks' && c.tool !== 'list_tags' && !c.result?.error);
}
