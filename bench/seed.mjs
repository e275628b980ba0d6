// seed.mjs - fills a fresh Todo account with tasks for the benchmark, through the public
// API only: POST /api/{user_id}/tasks with varied titles, descriptions, tags, priorities and
// due dates, several requests in flight at once. Then pages through GET /api/{user_id}/tasks
// and checks the count. Prints one JSON line: {"created", "listed", "first_id", "seconds"}.
//
// Usage: node bench/seed.mjs BASE_URL USER_ID TOKEN [COUNT=10000] [CONCURRENCY=32]
// Node 20+ (global fetch). Deterministic: the same COUNT gives the same tasks.

const [base, userId, token, countArg, concArg] = process.argv.slice(2);
if (!base || !userId || !token) {
  console.error('usage: node bench/seed.mjs BASE_URL USER_ID TOKEN [COUNT] [CONCURRENCY]');
  process.exit(2);
}
const count = Number(countArg ?? 10000);
const concurrency = Number(concArg ?? 32);

const verbs = ['buy', 'call', 'pay', 'fix', 'clean', 'email', 'book', 'review', 'plan', 'send',
  'order', 'renew', 'write', 'check', 'pick up'];
// 'groceries' twice: the most common errand, so "groc" matches about 17 % of the tasks
// (as in bench/seed.c, which seeds the same tasks straight into the database)
const things = ['groceries', 'groceries', 'rent', 'dentist', 'car insurance', 'report', 'birthday present',
  'train tickets', 'electricity bill', 'bike', 'quarterly taxes', 'flowers', 'passport',
  'team offsite', 'printer ink', 'library books', 'gym membership', 'mom', 'plumber'];
const tagPool = ['home', 'work', 'bills', 'errands', 'health', 'family', 'travel', 'shopping',
  'finance', 'car', 'urgent', 'someday'];
const priorities = ['none', 'low', 'medium', 'high'];
const DAY = 86400000;
const now = Date.now();

// A small deterministic PRNG (mulberry32) so every run seeds the same data.
function rng(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeTask(i) {
  const r = rng(i + 1);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const task = {
    title: `${pick(verbs)} ${pick(things)} #${i}`,
    priority: pick(priorities),
    tags: [...new Set(Array.from({ length: Math.floor(r() * 4) }, () => pick(tagPool)))],
  };
  if (r() < 0.4) task.description = `Notes for task ${i}: ${pick(things)} and ${pick(things)}.`;
  const d = r();
  if (d < 0.7) {
    // due between 30 days ago and 90 days ahead, on a quarter hour
    const at = now + Math.floor((r() * 120 - 30) * 96) * 15 * 60000;
    task.due_at = new Date(at - (at % (15 * 60000))).toISOString();
    if (at > now + DAY && r() < 0.3) task.reminders = [{ before: pick(['PT15M', 'PT1H', 'P1D']) }];
  }
  // Recurring tasks stay pending: completing one would add its next occurrence.
  if (r() < 0.05) task.recurrence = { rule: pick(['daily', 'weekly', 'monthly']), from: 'completion' };
  else if (r() < 0.2) task.completed = true;
  return task;
}

const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const tasksUrl = `${base}/api/${encodeURIComponent(userId)}/tasks`;

async function createOne(i) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(tasksUrl, { method: 'POST', headers, body: JSON.stringify(makeTask(i)) });
    const text = await res.text();
    if (res.status === 201) return JSON.parse(text).id;
    // 503 (busy database) is worth a retry; anything else is a bug to report.
    if (res.status !== 503 || attempt >= 5) {
      throw new Error(`POST task ${i}: HTTP ${res.status} ${text.slice(0, 300)}`);
    }
    await new Promise((ok) => setTimeout(ok, 50 * (attempt + 1)));
  }
}

const started = process.hrtime.bigint();
let next = 0;
let created = 0;
let firstId = null;
async function worker() {
  while (next < count) {
    const i = next++;
    const id = await createOne(i);
    if (i === 0) firstId = id;
    created++;
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));

// Count what the API lists, page by page (this also exercises keyset cursors).
let listed = 0;
let cursor = null;
const seen = new Set();
do {
  const url = new URL(tasksUrl);
  url.searchParams.set('limit', '200');
  if (cursor) url.searchParams.set('cursor', cursor);
  const res = await fetch(url, { headers });
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  const page = await res.json();
  for (const t of page.items) seen.add(t.id);
  listed += page.items.length;
  cursor = page.next_cursor;
} while (cursor);

const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ created, listed, distinct: seen.size, first_id: firstId, seconds }));
if (created !== count || listed !== count || seen.size !== count) {
  console.error(`seed: expected ${count} tasks, created ${created}, listed ${listed}, distinct ${seen.size}`);
  process.exit(1);
}
