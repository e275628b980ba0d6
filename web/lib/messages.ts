// Messages for people. The API's messages are written for developers ("tags[0] must be at most
// 50 characters"); these turn them into sentences that name the field in words, start with a
// capital and end with a full stop ("The tag “groceries” must be at most 50 characters.").

/** A message as a sentence: capitalised, ending in a full stop. */
export function sentence(m: string): string {
  const t = m.trim();
  if (!t) return t;
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

const NAMES: Record<string, string> = {
  title: 'the title',
  description: 'the description',
  priority: 'the priority',
  tags: 'the tags',
  due_at: 'the due date',
  reminders: 'the reminders',
  recurrence: 'the repeat rule',
  email: 'the email address',
  password: 'the password',
  name: 'the name',
  timezone: 'the time zone',
};

/** The field an API error names (title, tags[2], reminders[0].before), in words. */
export function fieldName(field: string): string {
  const item = /^(tags|reminders)\[(\d+)\]/.exec(field);
  if (item) return `${item[1] === 'tags' ? 'tag' : 'reminder'} ${+item[2] + 1}`;
  const head = field.split(/[.[]/)[0];
  return NAMES[head] ?? `the ${head.replace(/_/g, ' ')}`;
}

// a message that goes on from its field's name ("must be ...", "is not a valid time")
const PREDICATE = /^(must|is|are|has|have|needs?|cannot|can't|can|should|may|was|does|do|never|only|contains?|requires?|takes?)\b/i;

/** The API's message for field as a sentence about subject (default: the field in words):
 * ("tags[0]", "tags[0] must be at most 50 characters", "the tag “x”") -> "The tag “x” must be
 * at most 50 characters." A message that does not go on from the field's name is kept. */
export function fieldSentence(field: string, message: string, subject?: string): string {
  let m = message.trim();
  if (field && m.toLowerCase().startsWith(field.toLowerCase() + ' ')) m = m.slice(field.length + 1);
  m = m.replace(/\bdue_at\b/g, 'a due date');
  return sentence(PREDICATE.test(m) ? `${subject ?? fieldName(field)} ${m}` : m);
}
