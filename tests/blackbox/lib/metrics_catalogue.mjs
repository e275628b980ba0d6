// metrics_catalogue.mjs - the metrics catalogue of docs/operations.md ("Metrics": one table,
// name | type | labels | roles | meaning) and a strict reader of Prometheus text, for the tests
// that hold every role's /metrics to it (docs/decisions/0052-metrics-catalogue.md).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const OPERATIONS_MD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'operations.md');

/** [{name, type, labels: [..], roles: 'all' | [..], condition: 'LLM mode' | ... | undefined}]
 *  from the "## Metrics" table (a condition is the roles cell's text in brackets). */
export function readCatalogue(file = OPERATIONS_MD) {
    const md = readFileSync(file, 'utf8');
    const start = md.indexOf('\n## Metrics\n');
    if (start < 0) throw new Error(`${file}: no "## Metrics" section`);
    const end = md.indexOf('\n## ', start + 1);
    const rows = [];
    for (const line of md.slice(start, end < 0 ? undefined : end).split('\n')) {
        const m = /^\| `([a-z_:][a-z0-9_:]*)` \|([^|]*)\|([^|]*)\|([^|]*)\|/.exec(line);
        if (!m) continue;
        const ticks = (cell) => [...cell.matchAll(/`([^`]+)`/g)].map((x) => x[1]);
        const roles = m[4].trim() === 'all' ? 'all' : ticks(m[4]);
        const condition = /\(([^)]*)\)/.exec(m[4])?.[1];
        rows.push({ name: m[1], type: m[2].trim().split(/\s+/)[0], labels: ticks(m[3]), roles, condition });
    }
    if (rows.length === 0) throw new Error(`${file}: the metrics table is empty`);
    return rows;
}

/** The catalogue's rows a role must serve, given the conditions that hold for it. */
export function catalogueFor(role, conditions = [], rows = readCatalogue()) {
    return rows.filter((r) => (r.roles === 'all' || r.roles.includes(role))
        && (r.condition === undefined || conditions.includes(r.condition)));
}

/** Every condition the catalogue names. */
export const CONDITIONS = ['LLM mode', 'a scheduler', 'in-process bus', 'Kafka bus'];

/** Prometheus text format 0.0.4: {types: Map(family -> type), samples: [{name, labels, value}]}.
 *  Throws on a line that is not valid. */
export function parsePrometheus(text) {
    const types = new Map();
    const samples = [];
    for (const line of text.split('\n')) {
        if (line === '') continue;
        if (line.startsWith('#')) {
            const m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
            if (m) types.set(m[1], m[2]);
            else if (/^# TYPE/.test(line)) throw new Error(`bad TYPE line: ${line}`);
            continue;
        }
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
        if (!m) throw new Error(`bad sample line: ${JSON.stringify(line)}`);
        const labels = {};
        const rest = (m[2] || '').replace(/(\w+)="((?:[^"\\]|\\.)*)",?/g, (_, k, v) => { labels[k] = v; return ''; });
        if (rest !== '') throw new Error(`bad labels: ${line}`);
        samples.push({ name: m[1], labels, value: Number(m[3]) });
    }
    return { types, samples };
}

/** The sum of the samples of metric name whose labels include every one of `labels`, or
 *  null when there is none (samples: parsePrometheus's). */
export function metricSum(samples, name, labels = {}) {
    const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    return hits.length ? hits.reduce((a, s) => a + s.value, 0) : null;
}

/** The family a sample belongs to (a histogram's _bucket/_sum/_count, a counter's name). */
export function familyOf(name, types) {
    for (const suf of ['_bucket', '_sum', '_count']) {
        if (name.endsWith(suf) && types.get(name.slice(0, -suf.length)) === 'histogram') return name.slice(0, -suf.length);
    }
    return name;
}

/**
 * A role's /metrics text held to the catalogue, given the conditions that hold for it:
 * missing (catalogued for the role, not served with that # TYPE), unknown (served, not
 * catalogued) and badLabels (a sample whose labels are not its row's; a histogram's `le`
 * aside). Each a list of readable lines, empty when all is well.
 */
export function catalogueProblems(role, conditions, text, rows = readCatalogue()) {
    const { types, samples } = parsePrometheus(text);
    const byName = new Map(rows.map((r) => [r.name, r]));
    const missing = catalogueFor(role, conditions, rows).filter((r) => types.get(r.name) !== r.type)
        .map((r) => `${r.name}: catalogued as ${r.type}, served as ${types.get(r.name) ?? 'nothing'}`);
    const unknown = [...types.keys()].filter((n) => !byName.has(n));
    const badLabels = [];
    for (const s of samples) {
        const row = byName.get(familyOf(s.name, types));
        if (!row) {
            if (!unknown.includes(s.name)) unknown.push(`${s.name} (a sample of no catalogued family)`);
            continue;
        }
        const labels = Object.keys(s.labels).filter((l) => !(row.type === 'histogram' && l === 'le')).sort();
        const want = [...row.labels].sort();
        if (labels.join() !== want.join()) badLabels.push(`${s.name}: labels ${labels} (catalogue: ${want})`);
    }
    return { missing, unknown, badLabels };
}
