// logging.test.mjs - the Fluent Bit configuration of deploy/logging/ against our log lines
// (docs/deploy/logging.md, docs/decisions/0055-logs-and-trace-ids.md). Fluent Bit is not in
// Debian, so its parsers are run here as Fluent Bit runs them: the CRI regex (Onigmo's named
// groups are JavaScript's), then the JSON parser on the `log` field with its Time_Key and
// Time_Format. Checked: every sample line of deploy/logging/samples/containers.log parses to
// the fields of samples/expected.json; real lines printed by the binary (`todo migrate` on a
// scratch SQLite database) parse too; the pipeline's inputs, filters and outputs refer to
// parsers that exist, Loki labels only low-cardinality keys, the GKE filters map every level
// to a Cloud Logging severity, and the Helm values hold the very same sections as the plain
// configuration files.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIR = path.join(ROOT, 'deploy/logging');
const read = (p) => readFileSync(path.join(DIR, p), 'utf8');
const TODO_BIN = process.env.TODO_BIN || path.join(ROOT, 'build/todo');

/** The [NAME] sections of a classic-mode file, in order: [{name, text, keys: [[k, v]]}]. */
function sections(text) {
    const out = [];
    for (const m of text.matchAll(/^\[(\w+)\]\n((?: {4}.*\n?)+)/gm)) {
        const keys = m[2].split('\n').filter(Boolean).map((l) => {
            const [, k, v] = l.match(/^ {4}(\S+)\s+(.*)$/);
            return [k, v.trim()];
        });
        out.push({ name: m[1], text: m[0].trimEnd(), keys });
    }
    return out;
}
const get = (s, key) => s.keys.find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
const getAll = (s, key) => s.keys.filter(([k]) => k.toLowerCase() === key.toLowerCase()).map(([, v]) => v);

const parsers = Object.fromEntries(sections(read('fluent-bit/parsers.conf'))
    .filter((s) => s.name === 'PARSER').map((s) => [get(s, 'Name'), s]));

/** strftime with Fluent Bit's %L (fractional seconds) as a regex, for the formats we use. */
function timeRegex(fmt) {
    const parts = { '%Y': '\\d{4}', '%m': '\\d{2}', '%d': '\\d{2}', '%H': '\\d{2}', '%M': '\\d{2}',
        '%S': '\\d{2}', '%L': '\\d+', '%z': '(?:Z|[+-]\\d{2}:?\\d{2})' };
    const re = fmt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%[YmdHMSLz]/g, (p) => parts[p]);
    return new RegExp(`^${re}$`);
}

/** One CRI line through todo_cri then todo_json: {stream, time, record} (record null: not JSON). */
function parseLine(line) {
    const cri = parsers.todo_cri;
    const m = line.match(new RegExp(get(cri, 'Regex')));
    assert.ok(m, `the CRI parser takes: ${line}`);
    assert.match(m.groups.time, timeRegex(get(cri, 'Time_Format')), 'the runtime time fits Time_Format');
    let record = null;
    try { record = JSON.parse(m.groups.log); } catch { /* a line that is not ours: kept as log */ }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) return { stream: m.groups.stream, time: null, record: null };
    const json = parsers.todo_json;
    const key = get(json, 'Time_Key');
    let time = null;
    if (key in record) {
        assert.match(record[key], timeRegex(get(json, 'Time_Format')), `${key} fits Time_Format: ${line}`);
        time = record[key];
    }
    return { stream: m.groups.stream, time, record };
}

/** Our line's contract (docs/operations.md, "Logs"). */
function assertOurs(rec, where) {
    assert.match(rec.ts, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, `ts: ${where}`);
    assert.ok(['debug', 'info', 'warn', 'error'].includes(rec.level), `level: ${where}`);
    assert.equal(typeof rec.service, 'string', `service: ${where}`);
    assert.equal(typeof rec.msg, 'string', `msg: ${where}`);
    if ('trace_id' in rec) assert.match(rec.trace_id, /^[0-9a-f]{32}$/, `trace_id: ${where}`);
}

describe('the Fluent Bit pipeline of deploy/logging', () => {
    it('parses_every_sample_line_to_the_expected_fields', () => {
        const lines = read('samples/containers.log').split('\n').filter(Boolean);
        const expected = JSON.parse(read('samples/expected.json'));
        assert.equal(lines.length, expected.length, 'one expectation per sample line');
        lines.forEach((line, i) => {
            const got = parseLine(line);
            const want = expected[i];
            assert.equal(got.stream, want.stream, `stream of line ${i + 1}`);
            assert.equal(got.time, want.time, `time of line ${i + 1}`);
            if (want.record === null) { assert.equal(got.record, null, `line ${i + 1} is not JSON`); return; }
            for (const [k, v] of Object.entries(want.record)) assert.deepEqual(got.record[k], v, `${k} of line ${i + 1}`);
            if (got.time) assertOurs(got.record, `line ${i + 1}`);
        });
    });

    it('parses_the_lines_the_binary_prints', { skip: !existsSync(TODO_BIN) && `no ${TODO_BIN}` }, () => {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'todo-logging-'));
        try {
            const out = execFileSync(TODO_BIN, ['migrate', '--data-dir', dir],
                { env: { ...process.env, TODO_JWT_SECRET: 'logging-test' }, encoding: 'utf8' });
            const lines = out.split('\n').filter(Boolean);
            assert.ok(lines.length >= 1, 'todo migrate logs');
            for (const l of lines) {
                // as containerd writes it
                const got = parseLine(`2026-12-06T10:00:00.000000001Z stdout F ${l}`);
                assert.ok(got.record, `JSON: ${l}`);
                assertOurs(got.record, l);
                assert.equal(got.time, got.record.ts);
                assert.equal(got.record.service, 'migrate');
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it('wires_tail_kubernetes_our_parser_and_both_outputs', () => {
        const conf = sections(read('fluent-bit/fluent-bit.conf'));
        const input = conf.find((s) => s.name === 'INPUT');
        assert.equal(get(input, 'Name'), 'tail');
        assert.equal(get(input, 'Path'), '/var/log/containers/*.log');
        assert.equal(get(input, 'multiline.parser'), 'cri');
        const filters = conf.filter((s) => s.name === 'FILTER').map((s) => get(s, 'Name'));
        assert.deepEqual(filters, ['kubernetes', 'grep', 'parser'], 'kubernetes, then our pods, then our parser');
        const parser = conf.find((s) => s.name === 'FILTER' && get(s, 'Name') === 'parser');
        assert.equal(get(parser, 'Key_Name'), 'log', 'the CRI line body');
        const named = getAll(parser, 'Parser');
        assert.ok(named.length > 0, 'the parser filter names a parser');
        for (const p of named) assert.ok(parsers[p], `parser ${p} is defined in parsers.conf`);
        assert.equal(get(parser, 'Reserve_Data'), 'On', 'the kubernetes metadata stays');
        const outputs = Object.fromEntries(conf.filter((s) => s.name === 'OUTPUT').map((s) => [get(s, 'Name'), s]));
        assert.deepEqual(Object.keys(outputs).sort(), ['es', 'loki']);
        const labels = get(outputs.loki, 'label_keys').split(',').map((k) => k.trim());
        assert.deepEqual(labels.slice(0, 2), ['$service', '$level'], 'Loki streams by service and level');
        for (const k of labels) {
            assert.doesNotMatch(k, /trace_id|event_id|request_id|task_id|user|path/, `${k}: an unbounded label`);
        }
        for (const s of conf) {
            for (const [k, v] of s.keys) {
                if (/passw|token|secret/i.test(k)) assert.match(v, /^\$\{\w+\}$/, `${k} comes from the environment`);
            }
        }
    });

    it('maps_every_level_to_a_cloud_logging_severity_and_msg_and_trace_for_gke', () => {
        const gke = sections(read('gke/cloud-logging.conf'));
        const severity = {};
        for (const s of gke.filter((x) => x.name === 'FILTER' && get(x, 'Condition'))) {
            const [, key, value] = get(s, 'Condition').split(/\s+/);
            assert.equal(key, 'level');
            severity[value] = get(s, 'Set').split(/\s+/)[1];
        }
        assert.deepEqual(severity, { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR' },
            'the four levels of docs/operations.md, in Cloud Logging names');
        const rules = gke.find((x) => x.name === 'FILTER' && get(x, 'Rename'));
        assert.equal(get(rules, 'Rename'), 'msg message');
        assert.equal(get(rules, 'Copy'), 'trace_id logging.googleapis.com/trace');
        const out = gke.find((x) => x.name === 'OUTPUT');
        assert.equal(get(out, 'Name'), 'stackdriver');
        assert.equal(get(out, 'severity_key'), 'severity');
        assert.equal(get(out, 'autoformat_stackdriver_trace'), 'On');
    });

    it('gives_the_helm_chart_the_same_sections_as_the_files', () => {
        const values = read('fluent-bit/values.yaml');
        const block = (name) => {
            const m = values.match(new RegExp(`^  ${name}: \\|\\n((?: {4}.*\\n|\\n)+)`, 'm'));
            assert.ok(m, `config.${name} in values.yaml`);
            return m[1].split('\n').map((l) => l.replace(/^ {4}/, '')).join('\n');
        };
        const conf = read('fluent-bit/fluent-bit.conf');
        const texts = (text, name) => sections(text).filter((s) => s.name === name).map((s) => s.text);
        const same = (key, text, name) => assert.deepEqual(texts(block(key), name), texts(text, name), `config.${key}`);
        same('inputs', conf, 'INPUT');
        same('filters', conf, 'FILTER');
        same('outputs', conf, 'OUTPUT');
        same('customParsers', read('fluent-bit/parsers.conf'), 'PARSER');
        assert.match(block('service'), /Parsers_File\s+\/fluent-bit\/etc\/conf\/custom_parsers\.conf/,
            "the chart's service section reads customParsers");
    });
});
