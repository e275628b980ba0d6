// tools.test.mjs - the tool set through the official MCP SDK client, over Streamable HTTP
// (/mcp of a real `todo serve`) and over stdio (`todo mcp` on the same database): the tools'
// definitions, every tool's effect checked through REST, failures as isError results, and
// one user's token never reaching another user's tasks (docs/mcp.md).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, newUser } from '../blackbox/lib/server.mjs';
import { connect, structured, toolError } from './lib.mjs';

const TOOLS = ['add_task', 'list_tasks', 'complete_task', 'reopen_task', 'delete_task', 'update_task', 'list_tags'];

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

for (const kind of ['http', 'stdio']) {
    describe(`tools over ${kind}`, () => {
        let alice, bob, a, b;
        before(async () => {
            alice = await newUser(server.api);
            bob = await newUser(server.api);
            a = await connect(kind, server, alice.token);
            b = await connect(kind, server, bob.token);
        });
        after(async () => { await a?.close(); await b?.close(); });

        it('lists_every_tool_with_title_schemas_and_annotations', async () => {
            const { tools } = await a.client.listTools();
            assert.deepEqual(tools.map((t) => t.name), TOOLS);
            for (const t of tools) {
                assert.ok(t.title && t.description.length > 40, t.name);
                assert.equal(t.inputSchema.type, 'object');
                assert.equal(t.inputSchema.additionalProperties, false, t.name);
                assert.equal(t.inputSchema.properties.user_id.type, 'string', t.name);
                assert.equal(t.outputSchema.type, 'object', t.name);
                const list = t.name.startsWith('list_');
                assert.equal(t.annotations.readOnlyHint, list, `${t.name} readOnlyHint`);
                assert.equal(t.annotations.destructiveHint, t.name === 'delete_task', `${t.name} destructiveHint`);
                assert.equal(t.annotations.idempotentHint, t.name !== 'add_task', `${t.name} idempotentHint`);
            }
            const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
            assert.deepEqual(byName.add_task.inputSchema.required, ['title']);
            assert.equal(byName.complete_task.inputSchema.properties.task_id.type, 'integer');
            assert.deepEqual(byName.list_tasks.inputSchema.properties.status.enum, ['all', 'pending', 'completed']);
        });

        it('calls_each_tool_and_the_changes_show_through_rest', async () => {
            const added = structured(await a.client.callTool({ name: 'add_task', arguments: {
                user_id: alice.id, title: 'Pay rent', priority: 'high', tags: ['bills'],
                due_at: '2026-12-01T09:00:00-05:00', reminders: [{ before: 'PT30M' }], recurrence: 'monthly',
            } }), assert);
            assert.equal(added.status, 'created');
            assert.equal(added.title, 'Pay rent');
            const id = added.task_id;
            let r = await alice.get(`/tasks/${id}`);
            assert.equal(r.status, 200);
            assert.equal(r.json.priority, 'high');
            assert.equal(r.json.due_at, '2026-12-01T14:00:00Z');
            assert.equal(r.json.recurrence.rule, 'FREQ=MONTHLY');
            assert.equal(r.json.reminders.length, 1);

            const updated = structured(await a.client.callTool({ name: 'update_task', arguments: {
                task_id: id, title: 'Pay the rent', priority: null, tags: ['bills', 'home'],
            } }), assert);
            assert.equal(updated.status, 'updated');
            r = await alice.get(`/tasks/${id}`);
            assert.equal(r.json.title, 'Pay the rent');
            assert.equal(r.json.priority, 'none');
            assert.deepEqual(r.json.tags, ['bills', 'home']);

            const listed = structured(await a.client.callTool({ name: 'list_tasks', arguments: { q: 'rent', tags: ['home'] } }), assert);
            assert.deepEqual(listed.tasks.map((t) => [t.id, t.title, t.completed]), [[id, 'Pay the rent', false]]);
            assert.equal(listed.next_cursor, null);

            const tags = structured(await a.client.callTool({ name: 'list_tags', arguments: {} }), assert);
            assert.deepEqual(tags.tags, [{ name: 'bills', count: 1 }, { name: 'home', count: 1 }]);

            const done = structured(await a.client.callTool({ name: 'complete_task', arguments: { task_id: id } }), assert);
            assert.equal(done.status, 'completed');
            r = await alice.get(`/tasks/${id}`);
            assert.equal(r.json.completed, true);
            const again = structured(await a.client.callTool({ name: 'complete_task', arguments: { task_id: id } }), assert);
            assert.equal(again.task.completed, true, 'complete sets, never toggles');

            const reopened = structured(await a.client.callTool({ name: 'reopen_task', arguments: { task_id: id } }), assert);
            assert.equal(reopened.status, 'pending');
            r = await alice.get(`/tasks/${id}`);
            assert.equal(r.json.completed, false);

            const deleted = structured(await a.client.callTool({ name: 'delete_task', arguments: { task_id: id } }), assert);
            assert.deepEqual(deleted, { task_id: id, status: 'deleted', title: 'Pay the rent' });
            r = await alice.get(`/tasks/${id}`);
            assert.equal(r.status, 404);
        });

        it('tool_failures_are_isError_results_and_change_nothing', async () => {
            const t = await alice.create({ title: 'keep me' });
            let e = toolError(await a.client.callTool({ name: 'delete_task', arguments: { task_id: 987654321 } }), assert);
            assert.equal(e.code, 'not_found');
            e = toolError(await a.client.callTool({ name: 'add_task', arguments: { title: 'x', colour: 'red' } }), assert);
            assert.equal(e.code, 'validation_failed');
            assert.equal(e.details[0].field, 'colour');
            e = toolError(await a.client.callTool({ name: 'update_task', arguments: { task_id: String(t.id), title: 'y' } }), assert);
            assert.equal(e.details[0].field, 'task_id');
            e = toolError(await a.client.callTool({ name: 'list_tasks', arguments: { status: 'maybe' } }), assert);
            assert.equal(e.details[0].field, 'status');
            await assert.rejects(a.client.callTool({ name: 'drop_tables', arguments: {} }),
                (err) => err.code === -32602, 'an unknown tool is a JSON-RPC error');
            const r = await alice.get(`/tasks/${t.id}`);
            assert.equal(r.json.version, 1);
            assert.equal(r.json.title, 'keep me');
        });

        it('a_second_users_token_sees_and_touches_only_its_own_tasks', async () => {
            const mine = await alice.create({ title: 'alice only' });
            const theirs = structured(await b.client.callTool({ name: 'add_task', arguments: { title: 'bob only' } }), assert);
            const seen = structured(await b.client.callTool({ name: 'list_tasks', arguments: { limit: 200 } }), assert);
            assert.ok(seen.tasks.every((x) => x.title !== 'alice only'), 'no task of alice');
            assert.ok(seen.tasks.some((x) => x.id === theirs.task_id));
            let e = toolError(await b.client.callTool({ name: 'list_tasks', arguments: { user_id: alice.id } }), assert);
            assert.equal(e.code, 'forbidden');
            e = toolError(await b.client.callTool({ name: 'add_task', arguments: { user_id: alice.id, title: 'sneaky' } }), assert);
            assert.equal(e.code, 'forbidden');
            for (const name of ['complete_task', 'reopen_task', 'update_task', 'delete_task']) {
                e = toolError(await b.client.callTool({ name, arguments: { task_id: mine.id } }), assert);
                assert.equal(e.code, 'not_found', name);
            }
            const r = await alice.get(`/tasks/${mine.id}`);
            assert.equal(r.status, 200);
            assert.equal(r.json.version, 1, 'untouched');
            assert.ok((await alice.listAll()).every((x) => x.title !== 'sneaky'));
        });
    });
}
