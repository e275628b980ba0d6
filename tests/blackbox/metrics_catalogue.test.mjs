// metrics_catalogue.test.mjs - `todo serve`'s /metrics against the catalogue in
// docs/operations.md ("Metrics"): every metric marked for `serve` is served with its # TYPE
// (the type the table gives), its samples carry the labels the table names, and nothing is
// served that the table lacks — so a dashboard or an alert built from the table never queries
// a name no role serves (docs/decisions/0052-metrics-catalogue.md). Served with LLM mode on
// (the local stand-in), the only condition on a `serve` metric.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { startServer, newUser } from './lib/server.mjs';
import { startLlmStandin } from './lib/llm_standin.mjs';
import { readCatalogue, parsePrometheus, catalogueProblems, CONDITIONS } from './lib/metrics_catalogue.mjs';

describe('metrics catalogue', () => {
    let standin, srv, dir, scrape, scrapeText;
    before(async () => {
        standin = await startLlmStandin();
        dir = mkdtempSync(path.join(os.tmpdir(), 'todo-catalogue-'));
        writeFileSync(path.join(dir, 'key'), 'sk-standin-catalogue\n', { mode: 0o600 });
        srv = await startServer({ env: {
            TODO_LLM_BASE_URL: standin.url, TODO_LLM_MODEL: 'standin-model',
            TODO_LLM_API_KEY_FILE: path.join(dir, 'key'),
        } });
        const u = await newUser(srv.api);
        await u.create({ title: 'a task, so its events are published and consumed' });
        const r = await srv.api.get('/metrics');
        assert.equal(r.status, 200);
        scrapeText = r.text;
        scrape = parsePrometheus(r.text);
    });
    after(async () => {
        await srv?.stop();
        await standin?.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('the catalogue lists every name once, with a known type and roles', () => {
        const rows = readCatalogue();
        const names = rows.map((r) => r.name);
        assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), [], 'no name twice');
        for (const r of rows) {
            assert.ok(['counter', 'gauge', 'histogram'].includes(r.type), `${r.name}: type ${r.type}`);
            assert.ok(r.roles === 'all' || r.roles.length > 0, `${r.name}: roles`);
            assert.ok(r.condition === undefined || CONDITIONS.includes(r.condition), `${r.name}: condition ${r.condition}`);
            if (r.type === 'counter') assert.match(r.name, /_total$/, `${r.name}: a counter ends in _total`);
        }
    });

    it('serve_serves_every_catalogued_metric_with_its_type_nothing_else_and_the_catalogued_labels', () => {
        const p = catalogueProblems('serve', ['LLM mode', 'a scheduler', 'in-process bus'], scrapeText);
        assert.deepEqual(p.missing, [], 'catalogued for serve but not served with that type');
        assert.deepEqual(p.unknown, [], 'served but not in the catalogue of docs/operations.md');
        assert.deepEqual(p.badLabels, [], 'labels not as catalogued');
        assert.ok(scrape.samples.length > 50, `samples were read: ${scrape.samples.length}`);
    });
});
