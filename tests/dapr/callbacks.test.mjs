// callbacks.test.mjs - only the sidecar may call the app's Dapr routes (issue 9, item 3;
// docs/decisions/0020-dapr-callbacks-authenticated.md). `todo api`, `todo audit` and
// `todo recurring`, each with --bus dapr beside its own real daprd, and each pair with an app
// API token of its own (APP_API_TOKEN in both environments), on one fresh PostgreSQL database
// and the test Kafka broker.
//
// The attack: anyone who reaches an app's port POSTs a forged todo.task.completed for a
// victim's recurring task to /dapr/events/task-events; the recurring consumer then creates
// a task in the victim's account and the audit consumer writes a history row. Here it must
// get 404 on the public listener and 401 on the callback listener without the right
// token, and change nothing; while the real flow, daprd → app with the token, still works.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import {
    requireEnvironment, newSecret, newAppToken, freshDatabase, dropDatabase, startPair, killAll, newUser,
    waitFor, TODO_BIN,
} from './lib/dapr.mjs';

const execFileP = promisify(execFile);
const PUBSUB = 'todo-pubsub';
const TOPIC = 'task-events';
const EVENTS = `/dapr/events/${TOPIC}`;

/** A todo.task.completed as the api would publish it, for a task of someone else. */
function forgedCompleted(task, userId) {
    const now = new Date().toISOString();
    return {
        specversion: '1.0', id: randomUUID(), source: '/todo/api', type: 'todo.task.completed',
        subject: String(task.id), time: now, datacontenttype: 'application/json', partitionkey: userId,
        data: {
            event_type: 'completed', task_id: task.id, user_id: userId, timestamp: now,
            task_data: { ...task, completed: true, status: 'completed' },
            changes: { completed: { before: false, after: true } },
        },
    };
}

/** Variations of a token that must all be refused: near misses of every kind. */
function wrongTokens(right, other) {
    const flip = (c) => (c === 'A' ? 'B' : 'A');
    return {
        'no header': undefined,
        'an empty token': '',
        'the same length, last character changed': right.slice(0, -1) + flip(right.at(-1)),
        'the same length, first character changed': flip(right[0]) + right.slice(1),
        'one character short': right.slice(0, -1),
        'one character more': `${right}A`,
        'as a Bearer value': `Bearer ${right}`,
        'another app\'s token': other,
        'far too long': right.repeat(200),
    };
}

async function post(url, path, body, headers) {
    const r = await fetch(url + path, {
        method: 'POST', body,
        headers: { 'content-type': 'application/cloudevents+json', ...headers },
        signal: AbortSignal.timeout(10000),
    });
    const text = await r.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: r.status, text, json };
}

describe('Dapr callbacks: only the sidecar, with its app API token, on the callback listener', () => {
    let databaseUrl;
    let api, audit, recurring; // {sidecar, app, ...} of each role and its daprd
    let optOut; // a pair started with the opt-out, the last test's
    const pairs = () => [api, audit, recurring, optOut].filter(Boolean);
    const logs = () => pairs().map((p) => p.tail(4000)).join('\n');
    let victim; // a user whose account the forged events aim at
    let secret;

    before(async () => {
        requireEnvironment();
        secret = newSecret();
        databaseUrl = await freshDatabase(secret);
        const common = { pubsub: PUBSUB, databaseUrl, secret };
        [api, audit, recurring] = await Promise.all([
            startPair('api', { appId: 'todo-api', group: 'api', ...common }),
            startPair('audit', { appId: 'todo-audit', group: 'audit', ...common }),
            startPair('recurring', { appId: 'todo-recurring', group: 'recurring', ...common }),
        ]);
        // daprd asked each consumer for its subscriptions on the callback listener, with its
        // token: without it the app answers 401 and the sidecar would subscribe to nothing
        await waitFor(async () => (await api.app.client.get('/readyz')).status === 200,
            { deadlineMs: 20000, intervalMs: 100, what: 'the api to be ready' });
        for (const p of [audit, recurring]) {
            await waitFor(async () => (await p.sidecar.metadata()).subscriptions?.some((s) => s.topic === TOPIC),
                { deadlineMs: 20000, intervalMs: 100, what: `the ${p.role} sidecar to subscribe to ${TOPIC}\n${logs()}` });
        }
        victim = await newUser(api.app.client);
    });

    after(async () => {
        for (const p of pairs()) {
            if (p.app.child?.alive() || p.sidecar.child?.alive()) await p.stop().catch(() => {});
        }
        if (databaseUrl) await dropDatabase(databaseUrl).catch(() => {});
        killAll();
    });

    const seriesOf = async (task) => (await victim.listAll()).filter((t) => t.recurrence?.series_id === task.id);
    const historyTypes = async (task) => {
        const r = await victim.get(`/tasks/${task.id}/history`);
        assert.equal(r.status, 200, r.text);
        return r.json.items.map((e) => e.type);
    };

    it('with the token, the real flow works: a completed recurring task gets its successor and its history', async () => {
        const task = await victim.create({ title: 'Water the plants', due_at: '2030-05-06T07:00:00Z',
            recurrence: { rule: 'daily', from: 'due' } });
        const done = await victim.patch(`/tasks/${task.id}/complete`);
        assert.equal(done.status, 200, done.text);
        const series = await waitFor(async () => {
            const s = await seriesOf(task);
            return s.length >= 2 && s;
        }, { deadlineMs: 30000, intervalMs: 100, what: `the successor of task ${task.id}\n${logs()}` });
        assert.deepEqual(series.map((t) => t.due_at).sort(), ['2030-05-06T07:00:00Z', '2030-05-07T07:00:00Z']);
        await waitFor(async () => (await historyTypes(task)).length >= 2,
            { deadlineMs: 30000, intervalMs: 100, what: `the history of task ${task.id}\n${logs()}` });
        assert.deepEqual(await historyTypes(task), ['completed', 'created']);
    });

    it('the public listener has no Dapr routes (404, even with the right token) and the callback listener the API only with the token', async () => {
        for (const p of [api, audit, recurring]) {
            const sub = await p.app.client.get('/dapr/subscribe', { headers: p.app.sidecarHeaders() });
            assert.equal(sub.status, 404, `${p.role} public GET /dapr/subscribe: ${sub.text}`);
            assert.equal(sub.json?.error?.code, 'not_found', sub.text);
            const ev = await post(p.app.url, EVENTS, '{}', p.app.sidecarHeaders());
            assert.equal(ev.status, 404, `${p.role} public POST ${EVENTS}: ${ev.text}`);
            // the api serves its routes there too, for service invocation (the front door, ADR
            // 0049), behind the same token; the consumers serve none
            const apiOnCallbacks = await p.app.callbacks.get('/api/openapi.json', { headers: p.app.sidecarHeaders() });
            assert.equal(apiOnCallbacks.status, p === api ? 200 : 404, `${p.role} callback listener GET /api/openapi.json`);
            const noToken = await p.app.callbacks.get('/api/openapi.json');
            assert.equal(noToken.status, 401, `${p.role} callback listener GET /api/openapi.json without the token`);
            const health = await p.app.callbacks.get('/healthz');
            assert.equal(health.status, 200, `${p.role} callback listener /healthz (daprd's app health check)`);
        }
    });

    it('a forged todo.task.completed is refused, 404 on the public listener and 401 without the right token, and changes nothing', async () => {
        const task = await victim.create({ title: 'Pay the rent', due_at: '2030-06-01T07:00:00Z',
            recurrence: { rule: 'monthly', from: 'due' } });
        await waitFor(async () => (await historyTypes(task)).length === 1,
            { deadlineMs: 30000, intervalMs: 100, what: `the created event of task ${task.id} in the history` });
        const tasksBefore = (await victim.listAll()).map((t) => t.id).sort();

        const refusals = [];
        for (const [p, other] of [[recurring, audit], [audit, recurring]]) {
            const forged = JSON.stringify(forgedCompleted(task, victim.id));
            const pub = await post(p.app.url, EVENTS, forged, {});
            refusals.push([`${p.role} public listener`, pub.status, 404]);
            for (const [what, token] of Object.entries(wrongTokens(p.app.appToken, other.app.appToken))) {
                const headers = token === undefined ? {} : { 'dapr-api-token': token };
                const r = await post(p.app.callbackUrl, EVENTS, forged, headers);
                refusals.push([`${p.role} ${what}`, r.status, 401]);
                if (r.status === 401) {
                    assert.equal(r.json?.error?.code, 'unauthorized', r.text);
                    assert.ok(!r.text.includes(p.app.appToken), 'the answer does not echo the token');
                }
                const sub = await p.app.callbacks.get('/dapr/subscribe', { headers });
                refusals.push([`${p.role} GET /dapr/subscribe, ${what}`, sub.status, 401]);
            }
        }
        assert.deepEqual(refusals.filter(([, got, want]) => got !== want), [], 'every forged call is refused');

        // Refused calls are answered before anything is queued, so this is final: no task was
        // created in the victim's account and the task's history holds its creation only.
        assert.deepEqual((await victim.listAll()).map((t) => t.id).sort(), tasksBefore, 'no task created');
        assert.deepEqual(await historyTypes(task), ['created'], 'no history row written');

        // The victim completes it for real: exactly one successor and one completion, so no
        // forged event left a claim or a record behind.
        assert.equal((await victim.patch(`/tasks/${task.id}/complete`)).status, 200);
        const series = await waitFor(async () => {
            const s = await seriesOf(task);
            return s.length >= 2 && s;
        }, { deadlineMs: 30000, intervalMs: 100, what: `the successor of task ${task.id}\n${logs()}` });
        assert.equal(series.length, 2, JSON.stringify(series));
        await waitFor(async () => (await historyTypes(task)).length >= 2,
            { deadlineMs: 30000, intervalMs: 100, what: `the completion of task ${task.id} in the history` });
        assert.deepEqual(await historyTypes(task), ['completed', 'created']);
    });

    it('no app logs its token', async () => {
        for (const p of [api, audit, recurring]) {
            assert.ok(p.app.child.logs.length > 0, `${p.role} logged something`);
            assert.ok(!p.app.child.logs.includes(p.app.appToken), `todo ${p.role} logged its APP_API_TOKEN`);
        }
    });

    // the process's output, stdout and stderr together (the log is JSON lines on stdout)
    const run = (args, env) => execFileP(TODO_BIN, args, { env: { PATH: process.env.PATH, ...env }, timeout: 20000 })
        .then((o) => ({ code: 0, out: o.stdout + o.stderr }), (e) => ({ code: e.code, out: `${e.stdout}${e.stderr}` }));

    it('in Dapr mode, todo refuses to start without APP_API_TOKEN or with a weak one, naming the opt-out', async () => {
        const args = (role) => [role, '--bus', 'dapr', '--database', databaseUrl, '--listen', '127.0.0.1:0',
            '--dapr-app-listen', '127.0.0.1:0', '--data-dir', '/nonexistent'];
        for (const role of ['api', 'audit', 'recurring', 'serve']) {
            const r = await run(args(role), { TODO_JWT_SECRET: secret });
            assert.equal(r.code, 2, `todo ${role} without a token: ${JSON.stringify(r)}`);
            assert.match(r.out, /APP_API_TOKEN/);
            assert.match(r.out, /TODO_DAPR_INSECURE_NO_APP_TOKEN=1/);
            assert.doesNotMatch(r.out, /"listening"/);
        }
        for (const weak of ['short-token', 'with a space in it 0123456789', 'tab\tinside-0123456789']) {
            const r = await run(args('audit'), { APP_API_TOKEN: weak });
            assert.equal(r.code, 2, `a weak token: ${JSON.stringify(r)}`);
            assert.match(r.out, /APP_API_TOKEN must be 16 to 4096 visible ASCII characters/);
            assert.ok(!r.out.includes(weak), 'the refusal does not print the token');
        }
        // the opt-out does not turn off a token that is set
        const r = await run(args('audit'), { APP_API_TOKEN: 'short', TODO_DAPR_INSECURE_NO_APP_TOKEN: '1' });
        assert.equal(r.code, 2, JSON.stringify(r));
    });

    it('with the opt-out and no token, it starts with a warning and takes callbacks without a token, still not on the public listener', async () => {
        // an api: it subscribes to nothing, so its sidecar has no deliveries in flight at the stop
        optOut = await startPair('api', { appId: 'todo-api-optout', group: 'api-optout', pubsub: PUBSUB,
            databaseUrl, secret, appToken: null, extraEnv: { TODO_DAPR_INSECURE_NO_APP_TOKEN: '1' } });
        assert.match(optOut.app.child.logs, /"level":"warn".*Dapr callbacks are NOT authenticated/);
        assert.match(optOut.app.child.logs, /"dapr_app_token":false/);
        const sub = await optOut.app.callbacks.get('/dapr/subscribe');
        assert.equal(sub.status, 200, sub.text);
        assert.deepEqual(sub.json, []);
        assert.equal((await optOut.app.client.get('/dapr/subscribe')).status, 404);
        const exits = await optOut.stop();
        assert.deepEqual({ app: exits.app.code, sidecar: exits.sidecar.code }, { app: 0, sidecar: 0 },
            `${JSON.stringify(exits)}\n${optOut.tail()}`);
    });

    it('SIGTERM stops every app and sidecar with exit status 0', async () => {
        // First let both consumers catch up (daprd exits 1 when SIGTERM finds a delivery to a
        // stopped app still retrying): the victim's events share a partition, so once the
        // audit history shows a later completion and the recurring consumer counted it,
        // nothing earlier is still on its way to either.
        const handled = async () => (await recurring.app.metricSum('todo_events_consumed_total',
            { consumer: 'recurring', type: 'todo.task.completed' })) ?? 0;
        const before = await handled();
        const last = await victim.create({ title: 'barrier' });
        assert.equal((await victim.patch(`/tasks/${last.id}/complete`)).status, 200);
        await waitFor(async () => (await historyTypes(last)).length === 2 && (await handled()) > before,
            { deadlineMs: 30000, intervalMs: 100, what: `both consumers to handle the last completion\n${logs()}` });
        const exits = await Promise.all([api, audit, recurring].map((p) => p.stop()));
        assert.deepEqual(exits.map((e) => [e.app.code, e.sidecar.code]), [[0, 0], [0, 0], [0, 0]],
            `${JSON.stringify(exits)}\n${logs()}`);
    });
});
