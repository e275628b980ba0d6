// metrics.test.mjs - every role's /metrics over Kafka against the catalogue in
// docs/operations.md ("Metrics"; docs/decisions/0052-metrics-catalogue.md): `todo api`,
// `audit`, `recurring`, `notify` and `realtime` each serve every metric marked for that role
// (LLM mode off, the db scheduler on) with its # TYPE and labels, and nothing the table
// lacks; the audit consumer reports its lag for its topic, in seconds and in messages.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, newUser, historyAtLeast, waitFor } from './lib/cluster.mjs';
import { parsePrometheus, catalogueProblems } from '../blackbox/lib/metrics_catalogue.mjs';

describe('the metrics of every role over Kafka', () => {
    let cl;
    before(async () => {
        cl = await startCluster({ recurring: true, notify: true, realtime: true });
        const u = await newUser(cl.client);
        const t = await u.create({ title: 'counted by every role' });
        await historyAtLeast(cl.client, u, t.id, 1); // the audit consumer handled its event
    });
    after(async () => { await cl?.stop(); });

    const scrapeText = async (role) => {
        const r = await fetch(`${role.url}/metrics`);
        assert.equal(r.status, 200, `${role.role} /metrics`);
        return r.text();
    };
    const scrape = async (role) => parsePrometheus(await scrapeText(role));

    it('each_role_serves_its_catalogued_metrics_and_nothing_else', async () => {
        for (const role of [cl.api, cl.audit, cl.recurring, cl.notify, cl.realtime]) {
            const p = catalogueProblems(role.role, ['a scheduler'], await scrapeText(role));
            assert.deepEqual(p.missing, [], `${role.role}: catalogued for it but not served with that type`);
            assert.deepEqual(p.unknown, [], `${role.role}: served but not in the catalogue`);
            assert.deepEqual(p.badLabels, [], `${role.role}: labels not as catalogued`);
        }
    });

    it('the_audit_consumers_lag_is_per_topic_in_seconds_and_in_messages', async () => {
        // every event on the audit's partitions is handled (the history read above): no messages
        // left, read from the broker's watermarks about once a second
        const lagMessages = async () => (await scrape(cl.audit)).samples.find((s) => s.name === 'todo_consumer_lag_messages'
            && s.labels.consumer === 'audit' && s.labels.topic === 'task-events')?.value;
        await waitFor(async () => (await lagMessages()) === 0,
            { deadlineMs: 20000, what: 'todo_consumer_lag_messages{consumer="audit",topic="task-events"} 0' });
        const { samples } = await scrape(cl.audit);
        const seconds = samples.find((s) => s.name === 'todo_consumer_lag_seconds' && s.labels.consumer === 'audit'
            && s.labels.topic === 'task-events');
        assert.ok(seconds && seconds.value >= 0, 'todo_consumer_lag_seconds{consumer="audit",topic="task-events"}');
        const consumed = samples.filter((s) => s.name === 'todo_events_consumed_total' && s.labels.consumer === 'audit')
            .reduce((a, s) => a + s.value, 0);
        assert.ok(consumed >= 1, 'the audit consumer counted the event it applied');
    });
});
