// realtime.test.mjs - live sync across processes (docs/decisions/0033-websocket-realtime.md):
// `todo api` writes task changes to Kafka's task-updates; two `todo realtime` replicas, each
// its own broadcast group, push every change to the WebSockets of its user on either replica
// (npm `ws` clients) and to nobody else's; a replica stopped with SIGTERM closes its sockets
// with 1001 while the other goes on.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, newUser, waitFor, Role } from './lib/cluster.mjs';
import { freePort } from '../blackbox/lib/server.mjs';
import { connect } from './lib/peers.mjs';

describe('realtime over Kafka: two todo realtime replicas beside todo api', () => {
    let cl;
    const replicas = [];

    before(async () => {
        cl = await startCluster();
        for (const name of ['rt-a', 'rt-b']) {
            const r = new Role('realtime', { databaseUrl: cl.databaseUrl, secret: cl.secret,
                dataDir: cl.dataDir, port: await freePort(), instance: name });
            await r.start();
            replicas.push(r);
        }
    });

    after(async () => {
        for (const r of replicas) await r.stop().catch(() => {});
        await cl.stop();
    });

    it('every_replica_pushes_each_change_to_its_user_and_nobody_else', async () => {
        const a = await newUser(cl.client);
        const b = await newUser(cl.client);
        const a1 = connect(replicas[0], a.token);
        const a2 = connect(replicas[1], a.token);
        const b1 = connect(replicas[0], b.token);
        for (const c of [a1, a2, b1]) await c.ready();
        // the replicas' consumers may still be joining their groups: a new group reads from
        // the earliest offset, so nothing written after the replicas started is missed
        const t = (await a.post('/tasks', { json: { title: 'across processes' } })).json;
        assert.equal((await a.patch(`/tasks/${t.id}`, { json: { title: 'renamed' } })).status, 200);
        assert.equal((await a.patch(`/tasks/${t.id}/complete`, { json: { completed: true } })).status, 200);
        assert.equal((await a.del(`/tasks/${t.id}`)).status, 204);
        const bt = (await b.post('/tasks', { json: { title: 'b only' } })).json;
        await waitFor(() => a1.changes().length >= 4 && a2.changes().length >= 4 && b1.changes().length >= 1,
            { what: 'the pushes on both replicas', deadlineMs: 60000 });
        for (const c of [a1, a2]) {
            assert.deepEqual(c.changes().map((m) => [m.op, m.task.id]),
                [['created', t.id], ['updated', t.id], ['completed', t.id], ['deleted', t.id]]);
        }
        // a later change of b's own, so that nothing of a's can still be on its way to b
        const marker = (await b.post('/tasks', { json: { title: 'marker' } })).json;
        await waitFor(() => b1.changes().some((m) => m.task.id === marker.id), { what: 'the marker', deadlineMs: 30000 });
        assert.ok(b1.changes().every((m) => m.task.id === bt.id || m.task.id === marker.id),
            JSON.stringify(b1.changes()));
        assert.equal(await replicas[0].metric('todo_ws_connections'), 2);

        await replicas[0].stop(); // SIGTERM: its sockets get 1001, the other replica goes on
        await waitFor(() => a1.closed !== null && b1.closed !== null, { what: 'the closes' });
        assert.equal(a1.closed, 1001);
        assert.equal(b1.closed, 1001);
        const t2 = (await a.post('/tasks', { json: { title: 'after the stop' } })).json;
        await waitFor(() => a2.changes().some((m) => m.task.id === t2.id), { what: 'the push on the survivor', deadlineMs: 30000 });
        a2.ws.close();
    });
});
