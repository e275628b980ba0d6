// 90-monitoring.test.mjs - after the end-to-end tests (issue 14 §2 and §3, ADR 0054): the
// cluster tier's own Prometheus (tests/k8s/prometheus/, deployed by scripts/test-k8s.sh after
// the chart) scrapes every role's app and Dapr sidecar through Kubernetes service discovery;
// every query of deploy/monitoring/queries.json (each dashboard panel's, each alert rule's
// expression without its threshold) returns at least one series through Prometheus' HTTP API,
// so no panel or alert with a mistyped metric or label ships; and one trace's log lines are
// gathered across api, audit, recurring and notify from the pods' logs by its trace id.
// Runs last (90-): by then the earlier files have made every kind of traffic.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
    Api, NS, REPO_ROOT, appIds, baseUrl, kubectlJson, logsOf, newUser, podsOf, waitFor,
} from './lib/k8s.mjs';

const PROM_NS = process.env.TODO_K8S_PROMETHEUS_NAMESPACE || 'monitoring';
// TODO_K8S_QUERIES: another list of the same shape (to see the check fail on a typo'd name)
const QUERIES = process.env.TODO_K8S_QUERIES || path.join(REPO_ROOT, 'deploy/monitoring/queries.json');
// Rates need two scrapes (2 s apart) and a series appears on its pod's next scrape: a query
// still empty after this long has no data to find.
const QUERY_DEADLINE_MS = 60000;
const LOG_ROLES = ['api', 'audit', 'recurring', 'notify'];

async function prometheusUrl() {
    const svc = await kubectlJson(['-n', PROM_NS, 'get', 'service', 'prometheus']);
    return `http://${svc.spec.clusterIP}:${svc.spec.ports[0].port}`;
}

/** GET path?params on Prometheus' HTTP API; resolves its data, rejects with its error. */
async function promApi(url, p, params = {}) {
    const r = await fetch(`${url}${p}?${new URLSearchParams(params)}`, { signal: AbortSignal.timeout(15000) });
    const body = await r.json().catch(() => ({}));
    if (body.status !== 'success') {
        throw Object.assign(new Error(`${p}: ${r.status} ${body.errorType || ''} ${body.error || ''}`.trim()),
            { promError: body.error || `HTTP ${r.status}` });
    }
    return body.data;
}

/**
 * A query as Grafana would send it, with its variables given values that select everything:
 * a matcher on a template variable ($namespace, ${pod}) matches any non-empty value, so a
 * series without that label (a typo'd label name) matches nothing; Grafana's interval
 * variables are windows of several scrapes.
 */
function concreteQuery(expr) {
    return expr
        .replace(/\$\{?__rate_interval\}?|\$\{?__interval\}?/g, '1m')
        .replace(/\$\{?__range\}?/g, '10m')
        .replace(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|=|!~|!=)\s*"\$\{?[a-zA-Z_][a-zA-Z0-9_]*(:[a-z]+)?\}?"/g,
            (m, label) => `${label}=~".+"`);
}

/** Whether a query's result holds data: a vector or matrix with a series, or a scalar. */
const hasData = (d) => (d.resultType === 'scalar' || d.resultType === 'string' ? true : d.result.length > 0);

/**
 * Runs every {source, expr} until each returned data or the deadline passed; resolves the
 * ones that did not: [{source, expr, why}]. A query Prometheus refuses (bad PromQL) fails at
 * once, without waiting.
 */
async function unanswered(url, queries) {
    let pending = queries.map((q) => ({ ...q, query: concreteQuery(q.expr), why: 'no series' }));
    const bad = [];
    const until = Date.now() + QUERY_DEADLINE_MS;
    for (;;) {
        const still = [];
        for (const q of pending) {
            try {
                if (!hasData(await promApi(url, '/api/v1/query', { query: q.query }))) still.push(q);
            } catch (e) {
                if (e.promError) bad.push({ ...q, why: `refused: ${e.promError}` });
                else still.push({ ...q, why: e.message });
            }
        }
        pending = still;
        if (!pending.length || Date.now() > until) return [...bad, ...pending];
        await new Promise((r) => setTimeout(r, 2000));
    }
}

/**
 * What runs beside the app in this cluster, of what a query may require (queries.json's
 * optional `requires`, docs/decisions/0053-monitoring.md): kube-state-metrics (in the
 * Prometheus pod), PostgreSQL's exporter (a container postgres-exporter in the release), Kafka's
 * (a port named metrics on the broker's pod), LLM mode (TODO_LLM_BASE_URL on the api).
 */
async function running() {
    const containers = async (ns) => (await kubectlJson(['-n', ns, 'get', 'pods'])).items.flatMap((p) =>
        p.spec.containers.map((c) => ({ pod: p, c })));
    const release = await containers(NS);
    const ours = await containers(PROM_NS);
    return {
        'kube-state-metrics': ours.some(({ c }) => c.name === 'kube-state-metrics'),
        'postgres-exporter': release.some(({ c }) => c.name === 'postgres-exporter'),
        'kafka-exporter': release.some(({ c }) => c.image.startsWith('localhost/todo-kafka') &&
            (c.ports || []).some((p) => p.name === 'metrics')),
        llm: release.some(({ pod, c }) => pod.metadata.annotations?.['dapr.io/app-id'] === 'todo-api' &&
            c.name === 'todo' && (c.env || []).some((e) => e.name === 'TODO_LLM_BASE_URL')),
    };
}

// What may be absent: the tier runs all of it (scripts/test-k8s.sh: the exporters, LLM mode on
// the stand-in; ADR 0056), so by default every query is checked and a requirement that does not
// run fails. TODO_K8S_OPTIONAL_REQUIRES (comma-separated) lets a run against another release
// list those queries as not checked instead.
const OPTIONAL_REQUIRES = new Set((process.env.TODO_K8S_OPTIONAL_REQUIRES || '').split(',').filter(Boolean));

/**
 * The queries to run: every one, unless what it requires is absent and allowed to be
 * (OPTIONAL_REQUIRES): those are listed (not checked, and why). A `requires` this tier does not
 * know fails, so a misspelt one cannot hide a query; so does one absent and not optional.
 */
async function toRun(list) {
    const have = await running();
    const unknown = list.filter((q) => q.requires !== undefined && !(q.requires in have));
    assert.deepEqual(unknown.map((q) => `${q.source}: requires ${q.requires}`), [], 'requires names something unknown');
    const absent = [...new Set(list.filter((q) => q.requires !== undefined && !have[q.requires] &&
        !OPTIONAL_REQUIRES.has(q.requires)).map((q) => q.requires))];
    assert.deepEqual(absent, [], 'what these queries require does not run in this cluster (ADR 0056)');
    const skipped = list.filter((q) => q.requires !== undefined && !have[q.requires]);
    if (skipped.length) {
        console.log(`not checked, what they require does not run in this cluster:\n${
            skipped.map((q) => `  ${q.source} (requires ${q.requires})`).join('\n')}`);
    }
    return list.filter((q) => q.requires === undefined || have[q.requires]);
}

const describeFailures = (list) => list.map((q) => `  ${q.source}\n    ${q.expr}\n    (${q.why})`).join('\n');

describe('monitoring: Prometheus scrapes the system, every dashboard and alert query has data', () => {
    let url;
    let queries;

    before(async () => {
        url = await prometheusUrl();
        await waitFor(async () => (await fetch(`${url}/-/ready`)).status === 200,
            { deadlineMs: 60000, intervalMs: 500, what: `Prometheus at ${url} to be ready` });
        queries = JSON.parse(fs.readFileSync(QUERIES, 'utf8'));
    });

    it('every role\'s app and Dapr sidecar are scrape targets, and up', async () => {
        const roles = await appIds();
        assert.ok(roles.length >= 4, `the release's roles: ${roles}`);
        let missing = [];
        try {
            await waitFor(async () => {
                const targets = (await promApi(url, '/api/v1/targets', { state: 'active' })).activeTargets;
                const health = new Map(targets.map((t) => [new URL(t.scrapeUrl).host, t]));
                missing = [];
                for (const appId of roles) {
                    const pods = await podsOf(appId);
                    if (pods.length === 0) missing.push(`${appId}: no Ready pod`);
                    for (const pod of pods) {
                        const a = pod.metadata.annotations;
                        for (const [what, port] of [['app', a['prometheus.io/port'] || '8080'],
                            ['daprd', a['dapr.io/metrics-port'] || '9090']]) {
                            const t = health.get(`${pod.status.podIP}:${port}`);
                            if (t?.health !== 'up') {
                                missing.push(`${appId} ${what} of ${pod.metadata.name} (${pod.status.podIP}:${port}): ` +
                                    `${t ? `${t.health} ${t.lastError}` : 'not a target'}`);
                            }
                        }
                    }
                }
                return missing.length === 0;
            }, { deadlineMs: 60000, intervalMs: 1000, what: 'every role\'s targets to be up' });
        } catch (e) {
            assert.fail(`targets not up:\n  ${missing.join('\n  ')}\n(${e.message})`);
        }
    });

    it('every dashboard panel\'s query returns data', async () => {
        const all = queries.filter((q) => !q.source.startsWith('alert:'));
        assert.ok(all.length > 0, 'queries.json holds the dashboards\' queries');
        const panels = await toRun(all);
        const failed = await unanswered(url, panels);
        assert.equal(failed.length, 0,
            `${failed.length} of ${panels.length} panel queries returned no data:\n${describeFailures(failed)}`);
    });

    it('every alert rule\'s expression without its threshold returns data', async () => {
        const all = queries.filter((q) => q.source.startsWith('alert:'));
        assert.ok(all.length > 0, 'queries.json holds the alert rules\' expressions');
        const alerts = await toRun(all);
        const failed = await unanswered(url, alerts);
        assert.equal(failed.length, 0,
            `${failed.length} of ${alerts.length} alert expressions returned no data:\n${describeFailures(failed)}`);
    });
});

describe('logs: one operation\'s lines gathered across the roles by trace id', () => {
    const hex = (n) => crypto.randomBytes(n).toString('hex');
    const traceId = hex(16);
    const traceparent = () => `00-${traceId}-${hex(8)}-01`;
    const iso = (ms) => new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

    /** Every JSON log line of the app container of every pod of role, with its pod's name. */
    async function jsonLines(role) {
        const out = [];
        for (const pod of await podsOf(`todo-${role}`, { readyOnly: false })) {
            for (const line of (await logsOf(pod, 'todo', { tail: 20000 })).split('\n')) {
                if (!line.startsWith('{')) continue;
                try { out.push({ pod: pod.metadata.name, ...JSON.parse(line) }); } catch { /* not JSON */ }
            }
        }
        return out;
    }

    it('api, audit and recurring log the request\'s trace id; notify the trace of the reminder\'s firing', async () => {
        const api = new Api(await baseUrl());
        const user = await newUser(api);
        // One user operation under one trace id, through the front door: a recurring task with
        // a reminder (api; its event to audit), then its completion (the completed event to
        // audit and recurring, which writes the successor under the same trace). The reminder's
        // firing is a trace of its own (docs/decisions/0055-logs-and-trace-ids.md): the
        // firing role's "reminder fired" line names the task and that trace, which notify's
        // line about the reminder carries.
        const due = Date.now() + 65000;
        const created = await user.post('/tasks', {
            headers: { traceparent: traceparent() },
            json: { title: 'Traced task', due_at: iso(due), reminders: [{ before: 'PT1M' }],
                recurrence: { rule: 'daily', from: 'due' } },
        });
        assert.equal(created.status, 201, created.text);
        const task = created.json;
        await waitFor(async () => {
            const r = await user.get(`/tasks/${task.id}`);
            return ['fired', 'delivered'].includes(r.json?.reminders?.[0]?.state);
        }, { deadlineMs: 90000, intervalMs: 500, what: `the reminder of task ${task.id} to fire` });
        const done = await user.patch(`/tasks/${task.id}/complete`,
            { headers: { traceparent: traceparent() }, json: { completed: true } });
        assert.equal(done.status, 200, done.text);
        await waitFor(async () => (await user.listAll()).some((x) => x.recurrence?.series_id === task.id &&
            x.id !== task.id), { deadlineMs: 60000, intervalMs: 500, what: `the successor of task ${task.id}` });

        // gathered from the pods' logs: the request's trace in api, audit and recurring; the
        // firing (any role's "reminder fired" line for the task) and its trace in notify
        let found = {};
        let firing;
        const gather = async () => {
            const lines = {};
            for (const role of LOG_ROLES) lines[role] = await jsonLines(role);
            firing = Object.values(lines).flat().find((l) => l.msg === 'reminder fired' &&
                String(l.task_id) === String(task.id));
            found = {};
            for (const role of LOG_ROLES) {
                const want = role === 'notify' ? firing?.trace_id : traceId;
                found[role] = want ? lines[role].filter((l) => l.trace_id === want) : [];
            }
            return LOG_ROLES.every((r) => found[r].length > 0);
        };
        try {
            await waitFor(gather, { deadlineMs: 60000, intervalMs: 1000,
                what: `trace ${traceId} in the logs of ${LOG_ROLES.join(', ')}` });
        } catch { /* reported below, with what was found */ }
        const show = (l) => `\n    ${l.pod}: ${l.msg} ${l.type ?? ''} ${l.subject ?? l.path ?? ''}`.trimEnd();
        const summary = `trace ${traceId}; the reminder's firing: ` +
            `${firing ? `trace ${firing.trace_id} (${firing.pod})` : 'no "reminder fired" line for the task'}\n` +
            LOG_ROLES.map((r) => `  ${r}: ${found[r]?.length ?? 0} line(s)${(found[r] || []).slice(0, 6).map(show).join('')}`)
                .join('\n');
        console.log(`one operation's lines, gathered from the pods' logs:\n${summary}`);
        const lacking = LOG_ROLES.filter((r) => !found[r]?.length);
        assert.deepEqual(lacking, [], `no log line of the operation's trace from: ${lacking.join(', ')}\n${summary}`);
    });
});
