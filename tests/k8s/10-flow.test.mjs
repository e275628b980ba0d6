// 10-flow.test.mjs - the system end to end on the cluster (issue 13 §3), through the front door
// Service (`todo web`, which calls the api through its Dapr sidecar) or, in a release without
// one, the api Service: a user signs up, creates a recurring task with a reminder; the
// reminder fires (the api's scheduler → `reminders`); completing the task makes `todo
// recurring` write the successor (Dapr pub/sub over Kafka); the audit history shows each
// change once; the events are on their Kafka topics, read inside the cluster; requests
// crossed sidecars over mTLS with Sentry-issued certificates; the secrets came from the
// Kubernetes secret store; a chat turn in LLM mode reaches the tier's LLM stand-in. Files run
// in order (10-, 20-, 30-): this one on a fresh release.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import {
    Api, NS, appIds, baseUrl, hasFrontDoor, kubectlJson, logsOf, metricSum, newUser, podMetrics, podsOf,
    readTopic, waitFor, deploymentOf,
} from './lib/k8s.mjs';

const REQUIRED = ['todo-api', 'todo-audit', 'todo-recurring']; // the roles this file's flow needs
const iso = (ms) => new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

describe('the system on Kubernetes, end to end', () => {
    let api;
    let user;
    let task; // the recurring task with a reminder
    let successor;
    let history;
    let roles; // the Dapr app ids of every role the release runs

    before(async () => {
        roles = await appIds();
        for (const r of REQUIRED) assert.ok(roles.includes(r), `the release runs ${r}: ${roles}`);
        api = new Api(await baseUrl());
        await waitFor(async () => (await api.get('/readyz')).status === 200,
            { deadlineMs: 60000, intervalMs: 250, what: `${api.url}/readyz` });
        user = await newUser(api);
    });

    it('a recurring task with a reminder: the reminder fires, completing it gives one successor', async () => {
        const due = Date.now() + 75000;
        task = await user.create({ title: 'Water the plants', due_at: iso(due), reminders: [{ before: 'PT1M' }],
            recurrence: { rule: 'daily', from: 'due' } });
        assert.equal(task.reminders.length, 1, JSON.stringify(task));
        // the api's scheduler fires it (~15 s from now) and writes todo.reminder.due
        const fired = await waitFor(async () => {
            const r = await user.get(`/tasks/${task.id}`);
            return ['fired', 'delivered'].includes(r.json?.reminders?.[0]?.state) && r.json;
        }, { deadlineMs: 90000, intervalMs: 500, what: `the reminder of task ${task.id} to fire` });
        assert.equal(fired.reminders[0].remind_at, iso(due - 60000));
        if ((await podsOf('todo-notify', { readyOnly: false })).length) {
            await waitFor(async () => {
                const r = await user.get('/notifications');
                return r.status === 200 && (r.json.items ?? r.json).some((n) => n.task_id === task.id);
            }, { deadlineMs: 60000, intervalMs: 500, what: 'the in-app notification of the reminder (todo notify)' });
        }

        const done = await user.patch(`/tasks/${task.id}/complete`, { json: { completed: true } });
        assert.equal(done.status, 200, done.text);
        const series = await waitFor(async () => {
            const s = (await user.listAll()).filter((t) => t.recurrence?.series_id === task.id);
            return s.length >= 2 && s;
        }, { deadlineMs: 60000, intervalMs: 250, what: `the successor of task ${task.id} (todo recurring)` });
        assert.equal(series.length, 2, JSON.stringify(series));
        successor = series.find((t) => t.id !== task.id);
        assert.equal(successor.due_at, iso(due + 86400000));
        assert.equal(successor.completed, false);
    });

    it('the history (todo audit) shows each change once', async () => {
        const read = async (id) => {
            const r = await user.get(`/tasks/${id}/history`);
            return r.status === 200 ? r.json.items : [];
        };
        await waitFor(async () => (await read(task.id)).length >= 2 && (await read(successor.id)).length >= 1,
            { deadlineMs: 60000, intervalMs: 250, what: 'the history of the task and its successor' });
        // a barrier: one user's events are on one partition, read in order by the audit group,
        // so once a later event is in the history nothing earlier is still on its way
        const barrier = await user.create({ title: 'barrier' });
        await waitFor(async () => (await read(barrier.id)).length === 1,
            { deadlineMs: 60000, intervalMs: 250, what: 'the barrier task in the history' });
        history = await read(task.id);
        assert.deepEqual(history.map((e) => e.type), ['completed', 'created'], JSON.stringify(history));
        assert.deepEqual((await read(successor.id)).map((e) => e.type), ['created']);
        assert.equal(new Set(history.map((e) => e.event_id)).size, history.length);
    });

    it('the events are on the Kafka topics task-events, task-updates and reminders (read inside the cluster)', async () => {
        // one after the other: each is a JVM beside the broker, in its pod's memory limit
        const events = await readTopic('task-events');
        const updates = await readTopic('task-updates');
        const reminders = await readTopic('reminders');
        const mine = events.filter((m) => m.json?.data?.user_id === user.id);
        const ids = history.map((e) => e.event_id);
        for (const id of ids) {
            assert.equal(mine.filter((m) => m.json.id === id).length >= 1, true, `event ${id} on task-events`);
        }
        assert.ok(mine.every((m) => m.key === user.id), 'keyed by the user');
        assert.ok(mine.some((m) => m.json.type === 'todo.task.created' && m.json.subject === String(successor.id)),
            'the successor\'s creation on task-events');
        const changed = updates.filter((m) => m.json?.type === 'todo.task.changed' && m.json.data?.user_id === user.id);
        assert.ok(changed.some((m) => m.json.data.task?.id === task.id && m.json.data.op), `todo.task.changed for task ${task.id} on task-updates`);
        const due = reminders.filter((m) => m.json?.type === 'todo.reminder.due' && m.json.data?.task_id === task.id);
        assert.equal(new Set(due.map((m) => m.json.id)).size, 1, `one firing of the reminder on reminders: ${JSON.stringify(due)}`);
    });

    it('a chat turn in LLM mode is answered by the model (the tier\'s LLM stand-in)', async (t) => {
        // scripts/test-k8s.sh points the api at the stand-in (ADR 0056); a release without LLM
        // mode (another values file) has nothing to check here
        const d = await deploymentOf('todo-api');
        const app = d.spec.template.spec.containers.find((c) => c.name === 'todo');
        if (!(app?.env || []).some((e) => e.name === 'TODO_LLM_BASE_URL')) {
            t.skip('the api runs without LLM mode');
            return;
        }
        const r = await user.post('/chat', { json: { message: 'What is due today?' } });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.response, 'OK', `the stand-in's answer: ${JSON.stringify(r.json)}`);
        let turns = 0;
        for (const pod of await podsOf('todo-api')) {
            turns += metricSum(await podMetrics(pod, 8080), 'todo_llm_turns_total', { answered_by: 'model' });
        }
        assert.ok(turns >= 1, `todo_llm_turns_total{answered_by="model"} over the api's pods: ${turns}`);
    });

    it('requests crossed sidecars over mTLS, with certificates Sentry issued for the app ids', async () => {
        const bundle = await kubectlJson(['-n', 'dapr-system', 'get', 'configmap', 'dapr-trust-bundle']);
        const ca = bundle.data['ca.crt'];
        assert.ok(ca, 'the trust bundle has ca.crt');
        for (const appId of roles) {
            const [pod] = await podsOf(appId);
            assert.ok(pod, `a Ready pod of ${appId}`);
            // daprd's internal (sidecar-to-sidecar) gRPC port: it presents a certificate chained
            // to the trust bundle whose SPIFFE id names this app id
            const peer = await new Promise((resolve, reject) => {
                const s = tls.connect({ host: pod.status.podIP, port: 50002, ca, ALPNProtocols: ['h2'],
                    checkServerIdentity: () => undefined }, () => {
                    const c = s.getPeerCertificate();
                    resolve({ authorized: s.authorized, error: s.authorizationError, san: c.subjectaltname });
                    s.destroy();
                });
                s.on('error', reject);
                s.setTimeout(10000, () => s.destroy(new Error('timeout')));
            });
            assert.equal(peer.authorized, true, `${appId}'s sidecar certificate chains to the trust bundle: ${peer.error}`);
            assert.match(peer.san, new RegExp(`URI:spiffe://[^/]+/ns/${NS}/${appId}\\b`));
        }
        if (await hasFrontDoor()) {
            // the front door called the api through the sidecars: the api's daprd received
            // service invocations from todo-web (over the mTLS channel checked above)
            const [apiPod] = await podsOf('todo-api');
            const recv = metricSum(await podMetrics(apiPod), 'dapr_runtime_service_invocation_req_recv_total', { src_app_id: 'todo-web' });
            assert.ok(recv >= 1, `todo-api's sidecar received invocations from todo-web (${recv})`);
        }
    });

    it('the database URL and the JWT secret came from the Kubernetes secret store, not the environment', async () => {
        const secret = await kubectlJson(['-n', NS, 'get', 'secret', 'todo-secrets']);
        for (const k of ['database-url', 'jwt-secret']) assert.ok(secret.data?.[k], `todo-secrets has ${k}`);
        for (const appId of roles) {
            const d = await deploymentOf(appId);
            for (const c of d.spec.template.spec.containers) {
                const names = (c.env || []).map((e) => e.name);
                for (const banned of ['TODO_DATABASE_URL', 'TODO_JWT_SECRET', 'TODO_JWT_SECRET_FILE']) {
                    assert.ok(!names.includes(banned), `${appId}/${c.name} has no ${banned} in its environment`);
                }
                assert.ok(!(c.envFrom || []).some((e) => e.secretRef), `${appId}/${c.name} takes no Secret as its environment`);
            }
            const app = d.spec.template.spec.containers.find((c) => c.name !== 'daprd');
            const fromStore = (app.env || []).find((e) => e.name === 'TODO_DAPR_SECRETS')?.value;
            // the roles that need a database read it through their sidecar (the front door needs none)
            if (REQUIRED.includes(appId)) assert.equal(fromStore, 'todo-secrets', `${appId} reads todo-secrets through its sidecar`);
            if (!fromStore) continue;
            const [pod] = await podsOf(appId);
            assert.ok(pod, `${appId} started and is Ready, so it read its secrets`);
            const log = await logsOf(pod, 'daprd');
            assert.match(log, /secretstores\.kubernetes/, `${appId}'s daprd loaded the Kubernetes secret store`);
        }
        // the api signed the user's token with the secret it read: it verifies on the next call
        assert.equal((await user.get('/tasks')).status, 200);
    });
});
