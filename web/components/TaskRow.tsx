'use client';
// One task in the list: a completion checkbox, the title (opens the editor), and its due
// time, priority, tags, repeat rule and reminders in words.
import { memo } from 'react';
import type { Task } from '@/lib/types';
import { dueLabel, fullLabel, isOverdue, toInputs } from '@/lib/time';
import { describe } from '@/lib/rrule';
import { CheckIcon, RepeatIcon, TrashIcon } from './Icons';

interface Props {
  task: Task;
  tz: string;
  selected: boolean;
  onToggle: (t: Task) => void;
  onOpen: (t: Task) => void;
  onDelete: (t: Task) => void;
  onTag: (tag: string) => void;
  onSelect: (id: number) => void;
}

function TaskRow({ task, tz, selected, onToggle, onOpen, onDelete, onTag, onSelect }: Props) {
  const overdue = isOverdue(task.due_at, task.completed);
  const due = task.due_at ? toInputs(task.due_at, tz) : null;
  const repeat = task.recurrence
    ? describe(task.recurrence.rule, due?.time, { tz, dueDate: due?.date })
    : null;
  return (
    <li className={'task-row' + (task.completed ? ' done' : '') + (selected ? ' selected' : '')}
      data-task-id={task.id} data-series-id={task.recurrence?.series_id ?? undefined}
      aria-current={selected ? 'true' : undefined} onFocus={() => onSelect(task.id)}
      onClick={() => onSelect(task.id)}>
      <button type="button" role="checkbox" aria-checked={task.completed} className="check"
        aria-label={task.completed ? `Mark “${task.title}” as not done` : `Complete “${task.title}”`}
        onClick={(e) => { e.stopPropagation(); onToggle(task); }}>
        {task.completed ? <CheckIcon /> : null}
      </button>
      <div>
        <button type="button" className="title-btn" onClick={() => onOpen(task)}
          aria-label={`Edit “${task.title}”`}>
          {task.title}
        </button>
        <div className="meta">
          {task.due_at && (
            <span className={overdue ? 'overdue' : undefined} title={fullLabel(task.due_at, tz)}>
              {overdue ? 'Overdue · ' : 'Due '}{dueLabel(task.due_at, tz)}
            </span>
          )}
          {task.priority !== 'none' && (
            <span className={'prio-' + task.priority}>{task.priority[0].toUpperCase() + task.priority.slice(1)} priority</span>
          )}
          {repeat && <span title={task.recurrence!.rule}><RepeatIcon /> {repeat}</span>}
          {task.reminders.length > 0 && (
            <span>{task.reminders.length} reminder{task.reminders.length > 1 ? 's' : ''}</span>
          )}
          {task.tags.map((tag) => (
            <button key={tag} type="button" className="chip" onClick={() => onTag(tag)}
              aria-label={`Show tasks tagged ${tag}`}>#{tag}</button>
          ))}
        </div>
      </div>
      <button type="button" className="icon-btn" aria-label={`Delete “${task.title}”`}
        onClick={() => onDelete(task)} title="Delete"><TrashIcon /></button>
    </li>
  );
}

export default memo(TaskRow);
