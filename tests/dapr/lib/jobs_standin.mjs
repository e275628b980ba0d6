// jobs_standin.mjs - a STAND-IN for the Dapr sidecar's Jobs API (alpha1), the only stand-in of
// this tier. daprd's jobs need the Dapr Scheduler control-plane service, which cannot be built
// here (one of its modules is not served by the Go module proxy; docs/decisions/0030), so
// `todo api --scheduler dapr` is pointed at this server with TODO_DAPR_JOBS_URL while its
// pub/sub still goes through the real daprd.
//
// It follows the documented HTTP API (docs.dapr.io, "Jobs API reference", and daprd 1.16.5's
// handlers) and nothing more:
//   POST   /v1.0-alpha1/jobs/<name>  body: the JobHTTPRequest JSON (dueTime, data, overwrite,
//          failurePolicy {constant: {interval, maxRetries}} | {drop: {}}, schedule, repeats,
//          ttl); 204 with no body; 400 for a malformed request (not JSON, unknown field, a
//          "name" in the body, neither schedule nor dueTime); 500 when a job of that name
//          exists and overwrite is not true.
//   GET    /v1.0-alpha1/jobs/<name>  200 {name, dueTime, data, ...}; 500 when there is none.
//   DELETE /v1.0-alpha1/jobs/<name>  204 (also when there is none).
// At its dueTime a job is delivered as daprd's HTTP app channel does it: POST
// <app>/job/<name>, Content-Type application/json, the job's data as the body (nothing else),
// dapr-api-token set to the app token. 2xx is done, 404 is done (non-retriable), anything else
// is retried by the failure policy (default: 3 retries 1 s apart; constant: maxRetries every
// interval; drop: none). One-shot jobs only (dueTime, no schedule or repeats): the reminders
// need nothing else, and anything else is refused with 400 rather than half emulated.
//
// For the tests: requests (every API call received), callbacks (every delivery made, recorded
// once answered, with its status and answer), jobs (the live ones), duplicate (deliver each
// due job twice, as Dapr's at-least-once delivery may) and refuse (answer that many next POSTs
// 500 ERR_SCHEDULE_JOB, as daprd does while it cannot reach the Scheduler service).
import http from 'node:http';

const PREFIX = '/v1.0-alpha1/jobs/';
const FIELDS = new Set(['name', 'schedule', 'repeats', 'dueTime', 'due_time', 'ttl', 'data', 'overwrite',
    'failurePolicy', 'failure_policy']);

/** Go duration ("500ms", "5s", "2m", "1h30m") in ms, or NaN. */
function goDuration(s) {
    if (typeof s !== 'string' || !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return NaN;
    const unit = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
    let ms = 0;
    for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * unit[m[2]];
    return ms;
}

/** dueTime: an RFC 3339 time, or a Go duration from now. Returns ms since the epoch, or NaN. */
function dueAt(s) {
    if (typeof s !== 'string') return NaN;
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s)) return Date.parse(s);
    const d = goDuration(s);
    return Number.isNaN(d) ? NaN : Date.now() + d;
}

/** The failure policy as {retries, intervalMs}, or an error text. */
function failurePolicy(fp) {
    if (fp === undefined || fp === null) return { retries: 3, intervalMs: 1000 };
    if (typeof fp !== 'object') return 'failurePolicy must be an object';
    const keys = Object.keys(fp);
    if (keys.length !== 1) return 'failurePolicy must be one of constant or drop';
    if (keys[0] === 'drop') return { retries: 0, intervalMs: 0 };
    if (keys[0] !== 'constant') return `unknown failurePolicy ${keys[0]}`;
    const c = fp.constant || {};
    for (const k of Object.keys(c)) {
        if (!['interval', 'maxRetries', 'max_retries'].includes(k)) return `unknown field constant.${k}`;
    }
    const intervalMs = c.interval === undefined ? 0 : goDuration(c.interval);
    if (Number.isNaN(intervalMs)) return 'constant.interval must be a duration';
    const max = c.maxRetries ?? c.max_retries;
    if (max !== undefined && !(Number.isInteger(max) && max >= 0)) return 'constant.maxRetries must be a count';
    return { retries: max === undefined ? Infinity : max, intervalMs };
}

export class JobsStandIn {
    constructor() {
        this.jobs = new Map(); // name -> {name, dueTime, data, overwrite, failurePolicy, timer}
        this.requests = []; // {method, name, body (parsed JSON or null), status}
        this.callbacks = []; // {name, body (text), status, answer (text)}
        this.duplicate = false;
        this.refuse = 0;
        this.app = null; // {url, token}
    }

    /** Listens on 127.0.0.1 (a free port); resolves this with url set. */
    async start() {
        this.server = http.createServer((req, res) => this.handle(req, res));
        await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
        this.url = `http://127.0.0.1:${this.server.address().port}`;
        return this;
    }

    /** Where due jobs are delivered: the app's callback listener and its app API token. */
    deliverTo(url, token) { this.app = { url, token }; }

    async stop() {
        for (const j of this.jobs.values()) clearTimeout(j.timer);
        this.jobs.clear();
        this.closed = true;
        await new Promise((resolve) => this.server.close(resolve));
    }

    handle(req, res) {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const answer = (status, body) => {
                const out = body === undefined ? '' : JSON.stringify(body);
                res.writeHead(status, out ? { 'content-type': 'application/json' } : {});
                res.end(out);
                return status;
            };
            const url = new URL(req.url, 'http://x');
            if (!url.pathname.startsWith(PREFIX)) return answer(404, { errorCode: 'ERR_NOT_FOUND', message: 'no such API' });
            const name = decodeURIComponent(url.pathname.slice(PREFIX.length));
            let body = null;
            try { body = text ? JSON.parse(text) : null; } catch { /* left null */ }
            const entry = { method: req.method, name, body, text };
            this.requests.push(entry);
            entry.status = this.route(req.method, name, text, body, answer);
        });
    }

    route(method, name, text, body, answer) {
        const bad = (message) => answer(400, { errorCode: 'ERR_MALFORMED_REQUEST', message });
        if (!name || name.includes('|') || name.includes('/')) return bad('job name is empty or invalid');
        if (method === 'DELETE') {
            const j = this.jobs.get(name);
            if (j) clearTimeout(j.timer);
            this.jobs.delete(name);
            return answer(204);
        }
        if (method === 'GET') {
            const j = this.jobs.get(name);
            if (!j) return answer(500, { errorCode: 'ERR_GET_JOB', message: `job ${name} not found` });
            return answer(200, { name, dueTime: j.dueTime, data: j.data, failurePolicy: j.failurePolicy });
        }
        if (method !== 'POST') return answer(405, { errorCode: 'ERR_METHOD', message: 'method not allowed' });
        if (this.refuse > 0) {
            this.refuse -= 1;
            return answer(500, { errorCode: 'ERR_SCHEDULE_JOB', message: 'error scheduling job: the scheduler is unavailable' });
        }
        if (body === null || typeof body !== 'object' || Array.isArray(body)) return bad('the body must be a JSON object');
        for (const k of Object.keys(body)) if (!FIELDS.has(k)) return bad(`unknown field ${k}`);
        if (body.name !== undefined) return bad('the job name goes in the URL, not the body');
        if (body.schedule !== undefined || body.repeats !== undefined) return bad('this stand-in schedules one-shot jobs only');
        const due = body.dueTime ?? body.due_time;
        if (due === undefined) return bad('schedule or dueTime is required');
        const at = dueAt(due);
        if (Number.isNaN(at)) return bad(`dueTime ${JSON.stringify(due)} is not an RFC 3339 time or a duration`);
        const policy = failurePolicy(body.failurePolicy ?? body.failure_policy);
        if (typeof policy === 'string') return bad(policy);
        if (this.jobs.has(name) && body.overwrite !== true) {
            return answer(500, { errorCode: 'ERR_SCHEDULE_JOB', message: `job ${name} already exists` });
        }
        const old = this.jobs.get(name);
        if (old) clearTimeout(old.timer);
        const job = { name, dueTime: due, at, data: body.data, failurePolicy: body.failurePolicy ?? body.failure_policy, policy };
        job.timer = setTimeout(() => this.trigger(job, 0), Math.max(0, at - Date.now()));
        this.jobs.set(name, job);
        return answer(204);
    }

    /** Delivers a due job (twice when duplicate is set); retries by its policy. */
    async trigger(job, attempt) {
        if (this.closed || this.jobs.get(job.name) !== job) return;
        const ok = await this.deliver(job);
        if (this.duplicate && ok) await this.deliver(job);
        if (this.jobs.get(job.name) !== job) return; // replaced or deleted meanwhile
        if (ok || attempt >= job.policy.retries) {
            this.jobs.delete(job.name);
            return;
        }
        job.timer = setTimeout(() => this.trigger(job, attempt + 1), job.policy.intervalMs);
    }

    /** One POST /job/<name>; true when daprd would count it done (2xx or 404). */
    async deliver(job) {
        const record = { name: job.name, body: JSON.stringify(job.data ?? null), status: 0, answer: '' };
        if (!this.app) {
            this.callbacks.push(record);
            return false;
        }
        try {
            const headers = { 'content-type': 'application/json' };
            if (this.app.token) headers['dapr-api-token'] = this.app.token;
            const r = await fetch(`${this.app.url}/job/${encodeURIComponent(job.name)}`,
                { method: 'POST', headers, body: record.body, signal: AbortSignal.timeout(10000) });
            record.status = r.status;
            record.answer = await r.text();
        } catch (e) {
            record.answer = String(e.message);
        }
        this.callbacks.push(record); // once answered, so a test never sees one in flight
        return (record.status >= 200 && record.status < 300) || record.status === 404;
    }
}
