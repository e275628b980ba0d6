// event_path.mjs - create -> audit entry visible, under a fixed rate of creates (wrk2 is not in
// Debian; this is the small open-loop load generator bench/run.sh uses). POSTs tasks at RATE
// per second for SECONDS whatever the answers' speed (a request is sent on schedule even if
// earlier ones are still waiting), and for every TRACK-th created task polls
// GET /api/{user_id}/tasks/{id}/history every POLL_MS until it answers 200 (the audit
// consumer appended the task's "created" entry: 404 before). Latency is from the 201 arriving
// to the first 200; the resolution is one poll (POLL_MS plus a GET's round trip).
//
// Usage: node bench/event_path.mjs BASE_URL USER_ID TOKEN [RATE=2000] [SECONDS=10]
// Environment: BENCH_TRACK (10: every 10th create is tracked), BENCH_POLL_MS (1),
// BENCH_CONNECTIONS (64 sockets for the creates, 16 for the polls).
// Prints "RESULT k=v ..." (rate asked, and reached: creates answered / time to the last answer; create p50/p99, visible p50/p99/max,
// tracked, missed: not visible within 10 s, left out of the percentiles); exits 1 when a create
// failed.
import http from 'node:http';

const [base, userId, token, rateArg, secondsArg] = process.argv.slice(2);
if (!base || !userId || !token) {
  console.error('usage: node bench/event_path.mjs BASE_URL USER_ID TOKEN [RATE] [SECONDS]');
  process.exit(2);
}
const rate = Number(rateArg ?? 2000);
const seconds = Number(secondsArg ?? 10);
const track = Number(process.env.BENCH_TRACK ?? 10);
const pollMs = Number(process.env.BENCH_POLL_MS ?? 1);
const conns = Number(process.env.BENCH_CONNECTIONS ?? 64);
const DEADLINE_MS = 10000;

const url = new URL(base);
const createAgent = new http.Agent({ keepAlive: true, maxSockets: conns });
const pollAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const tasksPath = `/api/${encodeURIComponent(userId)}/tasks`;
const auth = `Bearer ${token}`;
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function request(agent, method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, agent,
      headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) } },
    (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const createMs = [];
const visibleMs = [];
let missed = 0;
let failed = 0;
let lastAnswer = 0;
const pending = [];

async function waitVisible(id, createdAt) {
  for (;;) {
    const res = await request(pollAgent, 'GET', `${tasksPath}/${id}/history`);
    const t = nowMs();
    if (res.status === 200) {
      visibleMs.push(t - createdAt);
      return;
    }
    if (res.status !== 404) throw new Error(`history of ${id}: HTTP ${res.status} ${res.text}`);
    if (t - createdAt > DEADLINE_MS) {
      missed++;
      return;
    }
    await new Promise((ok) => setTimeout(ok, pollMs));
  }
}

async function createOne(i) {
  const body = JSON.stringify({ title: `event path ${i}`, priority: 'low', tags: ['bench'] });
  const sent = nowMs();
  let res;
  try {
    res = await request(createAgent, 'POST', tasksPath, body);
  } catch (e) {
    failed++;
    return;
  }
  const answered = nowMs();
  if (res.status !== 201) {
    failed++;
    if (failed <= 3) console.error(`create ${i}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
    return;
  }
  createMs.push(answered - sent);
  lastAnswer = Math.max(lastAnswer, answered);
  if (i % track === 0) await waitVisible(JSON.parse(res.text).id, answered);
}

const started = nowMs();
let sent = 0;
const total = Math.round(rate * seconds);
await new Promise((done) => {
  const tick = () => {
    const due = Math.min(total, Math.floor(((nowMs() - started) / 1000) * rate));
    while (sent < due) pending.push(createOne(sent++));
    if (sent >= total) done();
    else setTimeout(tick, 1);
  };
  tick();
});
await Promise.all(pending);
const answerSeconds = (lastAnswer - started) / 1000; // the rate the server answered at

const pct = (a, p) => {
  if (a.length === 0) return NaN;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const f = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'nan');
console.log(`RESULT rate=${rate} reached=${(createMs.length / answerSeconds).toFixed(0)} ` +
  `creates=${createMs.length} failed=${failed} create_p50_ms=${f(pct(createMs, 50))} ` +
  `create_p99_ms=${f(pct(createMs, 99))} tracked=${visibleMs.length + missed} missed=${missed} ` +
  `vis_p50_ms=${f(pct(visibleMs, 50))} vis_p99_ms=${f(pct(visibleMs, 99))} ` +
  `vis_max_ms=${f(pct(visibleMs, 100))} poll_ms=${pollMs}`);
createAgent.destroy();
pollAgent.destroy();
// a task not visible within 10 s is a measurement (the consumer fell behind), not an error
process.exit(failed ? 1 : 0);
