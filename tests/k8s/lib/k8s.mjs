// k8s.mjs - what the cluster tier's tests share: kubectl and helm (the cluster's wrappers,
// scripts/k8s/kubectl and scripts/k8s/helm), the release's pods by Dapr app id, the address
// the tests talk to (the front door Service when the chart has one, else the api Service),
// Kafka's topics read inside the cluster (kubectl exec into the broker's pod), Prometheus
// metrics of a pod, and an HTTP client that opens a fresh connection per request, so a
// request never lands on a kept-alive connection to a pod that is going away.
//
// The tests run inside the cluster's network namespace (scripts/k8s/in-ns), where ClusterIPs
// and pod IPs are routable (docs/deploy/test-cluster.md). Environment:
//   TODO_K8S_NAMESPACE  the release's namespace (default todo)
//   TODO_K8S_URL        the base URL to test (default: discovered from the Services)
import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Api, newUser, unique, waitFor } from '../../blackbox/lib/server.mjs';
import { metricSum, parsePrometheus } from '../../blackbox/lib/metrics_catalogue.mjs';

export { Api, newUser, unique, waitFor };

const execFileP = promisify(execFile);
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const NS = process.env.TODO_K8S_NAMESPACE || 'todo';
export const RELEASE = 'todo';
export const CHART = path.join(REPO_ROOT, 'deploy/helm/todo');

/** Runs kubectl ARGS (the cluster's wrapper); resolves stdout, rejects with stderr. */
export async function kubectl(args, { timeoutMs = 120000, input } = {}) {
    const p = execFileP(path.join(REPO_ROOT, 'scripts/k8s/kubectl'), args,
        { maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs });
    if (input !== undefined) { p.child.stdin.end(input); }
    try {
        return (await p).stdout;
    } catch (e) {
        throw new Error(`kubectl ${args.join(' ')}: ${e.stderr || e.message}`);
    }
}

export async function kubectlJson(args, opts) {
    return JSON.parse(await kubectl([...args, '-o', 'json'], opts));
}

/** Runs helm ARGS (the cluster's wrapper); resolves stdout. */
export async function helm(args, { timeoutMs = 600000 } = {}) {
    try {
        return (await execFileP(path.join(REPO_ROOT, 'scripts/k8s/helm'), args,
            { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs })).stdout;
    } catch (e) {
        throw new Error(`helm ${args.join(' ')}: ${e.stderr || e.message}`);
    }
}

const ready = (pod) => pod.status?.phase === 'Running' && !pod.metadata.deletionTimestamp &&
    (pod.status.conditions || []).some((c) => c.type === 'Ready' && c.status === 'True');

/** The release's pods whose Dapr app id is appId (all of them, or only the Ready ones). */
export async function podsOf(appId, { readyOnly = true } = {}) {
    const list = await kubectlJson(['-n', NS, 'get', 'pods']);
    return list.items.filter((p) => p.metadata.annotations?.['dapr.io/app-id'] === appId &&
        (!readyOnly || ready(p)));
}

/** The Deployment whose pod template carries the Dapr app id appId. */
export async function deploymentOf(appId) {
    const list = await kubectlJson(['-n', NS, 'get', 'deployments']);
    const d = list.items.find((x) => x.spec.template.metadata.annotations?.['dapr.io/app-id'] === appId);
    if (!d) throw new Error(`no Deployment in ${NS} runs the Dapr app id ${appId}`);
    return d;
}

/** The Dapr app ids of the release's Deployments (todo-api, todo-audit, ...), sorted. */
export async function appIds() {
    const list = await kubectlJson(['-n', NS, 'get', 'deployments']);
    return list.items.map((d) => d.spec.template.metadata.annotations?.['dapr.io/app-id']).filter(Boolean).sort();
}

/**
 * Waits until every Deployment of the release has all its replicas updated and Ready, and no
 * pod of the namespace is still terminating (a Deployment's status stops counting a pod as
 * soon as it is being deleted, while its containers may still serve for their grace period).
 */
export async function deploymentsSettled({ deadlineMs = 240000 } = {}) {
    return waitFor(async () => {
        const list = await kubectlJson(['-n', NS, 'get', 'deployments']);
        const pods = await kubectlJson(['-n', NS, 'get', 'pods']);
        if (pods.items.some((p) => p.metadata.deletionTimestamp)) return false;
        return list.items.every((d) => {
            const want = d.spec.replicas ?? 1;
            const s = d.status || {};
            return s.observedGeneration >= d.metadata.generation && (s.updatedReplicas ?? 0) === want &&
                (s.readyReplicas ?? 0) === want && (s.replicas ?? 0) === want;
        }) && list.items;
    }, { deadlineMs, intervalMs: 500, what: `every Deployment in ${NS} to be rolled out and Ready` });
}

/** The base URL of the front door Service (web) if the chart has one, else of the api's. */
export async function baseUrl() {
    if (process.env.TODO_K8S_URL) return process.env.TODO_K8S_URL.replace(/\/$/, '');
    const svcs = (await kubectlJson(['-n', NS, 'get', 'services'])).items
        .filter((s) => s.spec.clusterIP && s.spec.clusterIP !== 'None');
    const role = (s, r) => s.metadata.labels?.['app.kubernetes.io/component'] === r ||
        new RegExp(`(^|-)${r}$`).test(s.metadata.name);
    const svc = svcs.find((s) => role(s, 'web')) || svcs.find((s) => role(s, 'api'));
    if (!svc) throw new Error(`no web or api Service in ${NS}: ${svcs.map((s) => s.metadata.name).join(', ')}`);
    const port = svc.spec.ports.find((p) => p.name === 'http') || svc.spec.ports[0];
    return `http://${svc.spec.clusterIP}:${port.port}`;
}

/** Whether the release runs the front door (a pod with Dapr app id todo-web). */
export async function hasFrontDoor() {
    return (await podsOf('todo-web', { readyOnly: false })).length > 0;
}

/**
 * One HTTP request on a connection of its own (no keep-alive). Resolves
 * {status, text, json, headers} or {error: code} when no response came (ECONNREFUSED: nothing
 * listened; anything else: the connection broke, the request may or may not have been done).
 */
export function request(base, method, p, { token, json, headers = {}, timeoutMs = 30000 } = {}) {
    return new Promise((resolve) => {
        const u = new URL(base + p);
        const h = { connection: 'close', ...headers };
        if (token) h.authorization = `Bearer ${token}`;
        const body = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
        if (body) { h['content-type'] = 'application/json'; h['content-length'] = body.length; }
        let done = false;
        const finish = (v) => { if (!done) { done = true; resolve(v); } };
        const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method,
            headers: h, agent: false });
        req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
        req.on('response', (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                const text = Buffer.concat(chunks).toString('utf8');
                let parsed;
                try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
                finish({ status: res.statusCode, text, json: parsed, headers: res.headers });
            });
            res.on('error', (e) => finish({ error: e.code || e.message }));
        });
        req.on('error', (e) => finish({ error: e.code || e.message }));
        req.end(body);
    });
}

// ---- Kafka, read inside the cluster ----

/** The broker's pod (the one running the localhost/todo-kafka image). */
export async function kafkaPod() {
    const list = await kubectlJson(['-n', NS, 'get', 'pods']);
    const pod = list.items.find((p) => ready(p) && p.spec.containers.some((c) => c.image.startsWith('localhost/todo-kafka')));
    if (!pod) throw new Error(`no Ready pod in ${NS} runs localhost/todo-kafka`);
    return { name: pod.metadata.name, container: pod.spec.containers.find((c) => c.image.startsWith('localhost/todo-kafka')).name };
}

/**
 * Every message of topic, read from the beginning by the broker's own console consumer
 * inside its pod: [{key, value, json}] (json: the parsed value, or undefined).
 */
export async function readTopic(topic, { timeoutMs = 4000 } = {}) {
    const { name, container } = await kafkaPod();
    // the broker image has no Kafka shell scripts: its tools are java with the broker's
    // classpath (deploy/images/kafka-entrypoint.sh); heap kept small beside the broker
    const script = 'java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 ' +
        '-Dlog4j.configuration=file:/opt/kafka/config/tools-log4j.properties -cp "/opt/kafka/libs/*" ' +
        'org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server localhost:9092 ' +
        '--topic "$1" --from-beginning --timeout-ms "$2" ' +
        '--property print.key=true --property key.separator="|KEY|"';
    // it ends the read when no message came for the timeout ("Processed a total of N messages")
    const out = await kubectl(['-n', NS, 'exec', name, '-c', container, '--', 'sh', '-c', script, 'sh', topic, String(timeoutMs)],
        { timeoutMs: timeoutMs + 60000 });
    return out.split('\n').filter((l) => l.includes('|KEY|')).map((l) => {
        const i = l.indexOf('|KEY|');
        const value = l.slice(i + 5);
        let json;
        try { json = JSON.parse(value); } catch { json = undefined; }
        return { key: l.slice(0, i), value, json };
    });
}

// ---- metrics ----

export { metricSum };

/** The Prometheus page a pod serves on port (daprd's metrics port is 9090). */
export async function podMetrics(pod, port = 9090) {
    const r = await request(`http://${pod.status.podIP}:${port}`, 'GET', '/metrics');
    if (r.status !== 200) throw new Error(`metrics of ${pod.metadata.name}:${port}: ${r.status ?? r.error}`);
    return parsePrometheus(r.text).samples;
}

/** The logs of one container of a pod. */
export async function logsOf(pod, container, { tail = 2000 } = {}) {
    return kubectl(['-n', pod.metadata.namespace, 'logs', pod.metadata.name, '-c', container, `--tail=${tail}`]);
}
