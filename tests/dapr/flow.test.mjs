// flow.test.mjs - the Dapr bus end to end: `todo api --bus dapr` and `todo audit --bus dapr`,
// each beside its own real daprd (app ids todo-api / todo-audit, consumer groups api / audit)
// whose pubsub.kafka component talks to the test broker, on one fresh PostgreSQL database.
// Task changes made through the api go API → daprd → Kafka → daprd → audit and show up in
// the history; kcat reads Kafka independently of both; a message the audit consumer cannot
// handle ends up on task-events.dlq; everything stops on SIGTERM with exit status 0. Each
// daprd calls its app with an app API token (callbacks.test.mjs: without it, nothing).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
    requireEnvironment, newSecret, freshDatabase, dropDatabase, startPair, killAll, newUser, unique,
    waitFor, readTopic, waitForTopic,
} from './lib/dapr.mjs';

const PUBSUB = 'todo-pubsub'; // not the default "pubsub": TODO_DAPR_PUBSUB must reach the app
const TOPIC = 'task-events';
const DLQ = 'task-events.dlq';
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
// the audit consumer's dead letters of task-events, summed over the type label
const DEAD_LETTERED = 'todo_events_dead_lettered_total{consumer="audit",topic="task-events"}';
const deadLettered = async (p) => (await p.app.metricSum('todo_events_dead_lettered_total', { consumer: 'audit', topic: TOPIC })) ?? 0;
const DEAD_LETTER_FIELDS = ['attempts', 'consumer', 'error', 'event', 'failed_at', 'topic']; // docs/events/dead-letter.schema.json

function newTrace() {
    const traceId = randomBytes(16).toString('hex');
    return { header: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, traceId };
}

describe('Dapr bus: API → daprd → Kafka → daprd → audit', () => {
    let secret;
    let databaseUrl;
    let api; // {sidecar, app, ...} of `todo api` and its daprd
    let audit; // the same for `todo audit`
    const logs = () => `${api?.tail(6000) ?? ''}\n${audit?.tail(6000) ?? ''}`;

    before(async () => {
        requireEnvironment();
        secret = newSecret();
        databaseUrl = await freshDatabase(secret);
        const common = { pubsub: PUBSUB, databaseUrl, secret };
        [api, audit] = await Promise.all([
            startPair('api', { appId: 'todo-api', group: 'api', ...common }),
            startPair('audit', { appId: 'todo-audit', group: 'audit', ...common }),
        ]);
        // the api reaches its sidecar (/readyz checks the bus), and the audit sidecar has
        // asked its app for the subscriptions and subscribed
        await waitFor(async () => (await api.app.client.get('/readyz')).status === 200,
            { deadlineMs: 20000, intervalMs: 100, what: 'the api to be ready' });
        await waitFor(async () => (await audit.sidecar.metadata()).subscriptions?.some((s) => s.topic === TOPIC),
            { deadlineMs: 20000, intervalMs: 100, what: 'the audit sidecar to subscribe to task-events' });
    });

    after(async () => {
        // normally stopped by the last test; a failure before it leaves them here
        for (const p of [api, audit]) {
            if (p && (p.app.child?.alive() || p.sidecar.child?.alive())) await p.stop().catch(() => {});
        }
        if (databaseUrl) await dropDatabase(databaseUrl).catch(() => {});
        killAll();
    });

    it('the audit process declares task-events at GET /dapr/subscribe, the api nothing, and each sidecar took that up', async () => {
        // on the callback listener, with the sidecar's token (lib/dapr.mjs gives each pair one)
        const a = await audit.app.callbacks.get('/dapr/subscribe', { headers: audit.app.sidecarHeaders() });
        assert.equal(a.status, 200, a.text);
        assert.deepEqual(a.json, [{ pubsubname: PUBSUB, topic: TOPIC, route: '/dapr/events/task-events', deadLetterTopic: DLQ }]);
        const p = await api.app.callbacks.get('/dapr/subscribe', { headers: api.app.sidecarHeaders() });
        assert.equal(p.status, 200, p.text);
        assert.deepEqual(p.json, []);

        const am = await audit.sidecar.metadata();
        assert.equal(am.id, 'todo-audit');
        assert.ok(am.components.some((c) => c.name === PUBSUB && c.type === 'pubsub.kafka'), JSON.stringify(am.components));
        const sub = am.subscriptions.find((s) => s.topic === TOPIC);
        assert.equal(sub.pubsubname, PUBSUB);
        assert.equal(sub.deadLetterTopic, DLQ);
        assert.ok(sub.rules.some((r) => r.path === '/dapr/events/task-events'), JSON.stringify(sub));
        assert.equal(am.subscriptions.length, 1, JSON.stringify(am.subscriptions));
        const pm = await api.sidecar.metadata();
        assert.equal(pm.id, 'todo-api');
        assert.deepEqual(pm.subscriptions ?? [], []);
    });

    it('task changes made through the api reach the audit history through daprd and Kafka, newest first, exactly once', async () => {
        const client = api.app.client;
        const user = await newUser(client);
        const trace = newTrace();

        // task a: created (with the caller's trace), updated, completed, deleted
        const ra = await user.post('/tasks', { json: { title: 'Buy milk', priority: 'low' }, headers: { traceparent: trace.header } });
        assert.equal(ra.status, 201, ra.text);
        const a = ra.json;
        assert.equal((await user.patch(`/tasks/${a.id}`, { json: { title: 'Buy oat milk', priority: 'high' } })).status, 200);
        assert.equal((await user.patch(`/tasks/${a.id}/complete`)).status, 200);
        assert.equal((await user.del(`/tasks/${a.id}`)).status, 204);
        // task b: created, updated, completed, reopened
        const b = await user.create({ title: 'Water plants' });
        assert.equal((await user.patch(`/tasks/${b.id}`, { json: { description: 'the ferns too' } })).status, 200);
        assert.equal((await user.patch(`/tasks/${b.id}/complete`, { json: { completed: true } })).status, 200);
        assert.equal((await user.patch(`/tasks/${b.id}/complete`, { json: { completed: false } })).status, 200);

        const history = async (id) => {
            const r = await user.get(`/tasks/${id}/history`);
            return r.status === 200 ? r.json.items : [];
        };
        const historyAtLeast = (id, n) => waitFor(async () => {
            const items = await history(id);
            return items.length >= n ? items : false;
        }, { deadlineMs: 30000, intervalMs: 100, what: `${n} history entries for task ${id}\n${logs()}` });
        await historyAtLeast(a.id, 4);
        await historyAtLeast(b.id, 4);

        // A barrier: the user's events are on one partition, which the audit group reads in
        // order, so once a later event is in the history nothing earlier is still on its way
        // (a duplicate would have been applied, or ignored, by then).
        const barrier = await user.create({ title: 'barrier' });
        await historyAtLeast(barrier.id, 1);

        const ha = await history(a.id);
        assert.deepEqual(ha.map((e) => e.type), ['deleted', 'completed', 'updated', 'created'], JSON.stringify(ha));
        const hb = await history(b.id);
        assert.deepEqual(hb.map((e) => e.type), ['reopened', 'completed', 'updated', 'created'], JSON.stringify(hb));
        for (const e of [...ha, ...hb]) {
            assert.match(e.event_id, UUID_V7);
            assert.match(e.at, RFC3339_UTC);
        }
        assert.deepEqual(ha[2].changes.title, { before: 'Buy milk', after: 'Buy oat milk' });
        assert.deepEqual(ha[2].changes.priority, { before: 'low', after: 'high' });
        assert.deepEqual(ha[1].changes.completed, { before: false, after: true });
        assert.deepEqual(ha[0].changes.title, { before: 'Buy oat milk', after: null });
        assert.deepEqual(hb[2].changes.description, { before: b.description, after: 'the ferns too' });
        assert.deepEqual(hb[0].changes.completed, { before: true, after: false });

        // Kafka, read by kcat: every one of those events, keyed by the user (the partition key
        // the api gave its sidecar), on one partition, and the history holds exactly the events
        // Kafka carried. The api was given no broker address: only its sidecar could put them there.
        const hbar = await history(barrier.id);
        const historyIds = [...ha, ...hb, ...hbar].map((e) => e.event_id);
        assert.equal(new Set(historyIds).size, 9, 'nine distinct events in the history');
        const mine = (await readTopic(TOPIC)).filter((m) => m.key === user.id);
        const kafkaIds = new Set(mine.map((m) => m.json?.id));
        assert.deepEqual([...kafkaIds].sort(), [...historyIds].sort(), 'the history holds the events Kafka carried');
        assert.equal(new Set(mine.map((m) => m.partition)).size, 1, 'one user, one partition');
        for (const m of mine) {
            assert.equal(m.json.partitionkey, user.id);
            assert.match(m.json.type, /^todo\.task\.(created|updated|completed|reopened|deleted)$/);
        }
        const created = mine.find((m) => m.json.id === ha[3].event_id).json;
        assert.equal(created.type, 'todo.task.created');
        assert.equal(created.subject, String(a.id));
        assert.equal(created.traceparent.split('-')[1], trace.traceId, 'the caller\'s trace survives the sidecar');
        // and audit's log line about that event carries it (docs/decisions/0055-logs-and-trace-ids.md)
        const line = audit.app.child.logs.split('\n').map((l) => l.replace(/^\[[^\]]+\] /, ''))
            .map((l) => { try { return JSON.parse(l); } catch { return null; } }).find((o) => o?.event_id === created.id);
        assert.ok(line, `audit logs the event it handled:\n${audit.tail(3000)}`);
        assert.deepEqual([line.level, line.msg, line.type, line.subject, line.trace_id],
            ['info', 'event handled', 'todo.task.created', String(a.id), trace.traceId]);

        // the counters agree
        const published = await api.app.metric(`todo_events_published_total{topic="${TOPIC}"}`);
        assert.ok(published >= 9, `api published ${published} task-events`);
        const consumed = await audit.app.metric('todo_events_consumed_total{consumer="audit",topic="task-events",type="any"}');
        assert.ok(consumed >= 9, `audit consumed ${consumed}`);
        assert.equal(await api.app.metric('todo_outbox_backlog'), 0);
    });

    // A JSON message that is no CloudEvent: daprd hands it to the app (it dead-letters by
    // itself only what is not JSON at all), so it is the audit consumer that dead-letters it.
    const bad = { marker: unique('notce'), note: 'not a CloudEvent' };
    const badText = JSON.stringify(bad);
    // An event the audit handler fails on every time (its data lacks task_id and user_id).
    const faultyKey = unique('faulty');
    const faulty = {
        specversion: '1.0', id: randomUUID(), source: '/dapr-e2e', type: 'todo.task.updated', subject: '1',
        time: new Date().toISOString(), datacontenttype: 'application/json', traceparent: newTrace().header,
        partitionkey: faultyKey, data: { note: 'no task_id, no user_id' },
    };
    const deadLetters = {}; // the task-events.dlq message of each, for the schema test
    let deadBefore;

    it('a message the audit consumer cannot parse, published through the api sidecar, ends up on task-events.dlq once', async () => {
        deadBefore = await deadLettered(audit);
        const r = await api.sidecar.publish(TOPIC, badText,
            { metadata: { rawPayload: 'true', partitionKey: bad.marker } });
        assert.equal(r.status, 204, `publish through the api sidecar: ${r.status} ${r.text}`);
        // on Kafka exactly as it was sent (rawPayload: no envelope), read by kcat
        const raw = await waitForTopic(TOPIC, (ms) => ms.find((m) => m.key === bad.marker));
        assert.equal(raw.payload, badText);

        const dl = await waitForTopic(DLQ, (ms) => ms.find((m) => m.payload.includes(bad.marker)),
            { what: `the dead letter of ${bad.marker}\n${logs()}` });
        assert.ok(dl.json, `the dead letter is JSON: ${dl.payload}`);
        deadLetters.unparseable = dl.json;
        assert.equal(dl.json.consumer, 'audit', dl.payload);
        assert.equal(dl.json.attempts, 1, `not retried: ${dl.payload}`);
        assert.equal(typeof dl.json.error, 'string');
        assert.ok(dl.json.error.length > 0, dl.payload);
        assert.match(dl.json.failed_at, RFC3339_UTC);
        const all = (await readTopic(DLQ)).filter((m) => m.payload.includes(bad.marker));
        assert.equal(all.length, 1, 'dead-lettered once (by the consumer, not by daprd as well)');
    });

    it('the audit consumer\'s dead-letter metric counts the message it could not parse', async () => {
        assert.ok(deadLetters.unparseable, 'the previous test found the dead letter');
        let last;
        await waitFor(async () => {
            last = await deadLettered(audit);
            return last >= deadBefore + 1;
        }, { deadlineMs: 5000, intervalMs: 100, what: `${DEAD_LETTERED} to grow from ${deadBefore}` })
            .catch((e) => { e.message += ` (last: ${last}; the dead letter is on ${DLQ})`; throw e; });
    });

    it('a valid CloudEvent whose data the audit handler cannot use is dead-lettered at once, once, and counted', async () => {
        const before = await deadLettered(audit);
        const r = await api.sidecar.publish(TOPIC, JSON.stringify(faulty), {
            contentType: 'application/cloudevents+json', metadata: { partitionKey: faultyKey },
            headers: { traceparent: faulty.traceparent },
        });
        assert.equal(r.status, 204, `publish through the api sidecar: ${r.status} ${r.text}`);
        const dl = await waitForTopic(DLQ, (ms) => ms.find((m) => m.json?.event?.id === faulty.id),
            { what: `the dead letter of event ${faulty.id}\n${logs()}` });
        deadLetters.failing = dl.json;
        assert.equal(dl.json.consumer, 'audit', dl.payload);
        // malformed data stays malformed: no retries (retries of failing handlers: unit tests)
        assert.equal(dl.json.attempts, 1, `dead-lettered on the first attempt: ${dl.payload}`);
        assert.match(dl.json.error, /task_id/);
        assert.match(dl.json.failed_at, RFC3339_UTC);
        await waitFor(async () => (await deadLettered(audit)) >= before + 1,
            { deadlineMs: 5000, intervalMs: 100, what: `${DEAD_LETTERED} to grow from ${before}` });
        assert.equal(await deadLettered(audit), before + 1, 'counted once');
        assert.equal((await readTopic(DLQ)).filter((m) => m.json?.event?.id === faulty.id).length, 1, 'dead-lettered once');
    });

    it('both dead letters are as docs/events/dead-letter.schema.json says: the original topic and message, no other fields', async () => {
        assert.ok(deadLetters.unparseable && deadLetters.failing, 'the previous tests found both dead letters');
        const problems = [];
        for (const [name, dl] of Object.entries(deadLetters)) {
            const extra = Object.keys(dl).filter((k) => !DEAD_LETTER_FIELDS.includes(k));
            const missing = DEAD_LETTER_FIELDS.filter((k) => !(k in dl));
            if (extra.length || missing.length) {
                problems.push(`${name}: fields not in the schema ${JSON.stringify(extra)}, missing ${JSON.stringify(missing)}`);
            }
            if (dl.topic !== TOPIC) problems.push(`${name}: "topic" is ${JSON.stringify(dl.topic)}, not the topic the message came from (${TOPIC})`);
        }
        // "event": the original event, or its text only when it was not JSON; the message was JSON
        if (!isDeepStrictEqual(deadLetters.unparseable.event, bad)) {
            problems.push(`unparseable: "event" is ${JSON.stringify(deadLetters.unparseable.event)}, not the original JSON message ${badText}`);
        }
        const ev = deadLetters.failing.event;
        if (!(ev && ev.id === faulty.id && ev.type === faulty.type && isDeepStrictEqual(ev.data, faulty.data))) {
            problems.push(`failing: "event" is not the original event: ${JSON.stringify(ev)}`);
        }
        assert.deepEqual(problems, [], `dead letters:\n${JSON.stringify(deadLetters, null, 1)}`);
    });

    it('SIGTERM stops both apps and both sidecars, each with exit status 0', async () => {
        const [pe, ae] = await Promise.all([api.stop(), audit.stop()]);
        const exits = { api: pe, audit: ae };
        const summary = (e) => ({ code: e?.code, signal: e?.signal });
        assert.deepEqual({
            'todo api': summary(pe.app), 'daprd todo-api': summary(pe.sidecar),
            'todo audit': summary(ae.app), 'daprd todo-audit': summary(ae.sidecar),
        }, {
            'todo api': { code: 0, signal: null }, 'daprd todo-api': { code: 0, signal: null },
            'todo audit': { code: 0, signal: null }, 'daprd todo-audit': { code: 0, signal: null },
        }, `exits ${JSON.stringify(exits)}\n${logs()}`);
    });
});
