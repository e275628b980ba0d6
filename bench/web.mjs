// web.mjs - the web UI's load time (docs/benchmarks.md, "Web UI"): a real `todo serve`
// serving web/out with one user holding BENCH_TASKS tasks (seeded through the API by
// bench/seed.mjs), and Debian's Chromium (headless, playwright-core) opening the main screen
// BENCH_LOADS times, cold (a new browser context each time: empty cache) and warm (one
// context, cached assets). A load is timed from navigation start to the first page of rows
// being in the DOM (the list request, the count requests and rendering included). Then the
// time from typing a search word to the matching rows (the 250 ms debounce included).
// Prints a Markdown table with p50/p95/max in ms.
//
// Usage: node bench/web.mjs   Env: BENCH_TASKS (10000), BENCH_LOADS (20), TODO_BIN, TODO_CHROMIUM
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { startApp } from '../tests/browser/lib/browser.mjs';
import { REPO_ROOT, newUser } from '../tests/blackbox/lib/server.mjs';

const execFileP = promisify(execFile);
const N_TASKS = Number(process.env.BENCH_TASKS || 10000);
const LOADS = Number(process.env.BENCH_LOADS || 20);

function pct(xs, p) {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const app = await startApp({ env: { TODO_ACCESS_LOG: '0', TODO_LOG_LEVEL: 'warn' } });
try {
    const user = await newUser(app.server.api, { timezone: 'Europe/Berlin' });
    const seeded = await execFileP('node', [path.join(REPO_ROOT, 'bench/seed.mjs'), app.url, user.id,
        user.token, String(N_TASKS), '32'], { maxBuffer: 1 << 20 });
    process.stderr.write(`bench-web: seeded ${seeded.stdout.trim()}\n`);
    const me = await (await fetch(`${app.url}/api/auth/me`, { headers: { Authorization: `Bearer ${user.token}` } })).json();
    const session = { token: user.token, expiresAt: Date.now() + 3600e3, user: me };

    const contextFor = async () => {
        const ctx = await app.browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 860 } });
        await ctx.addInitScript((s) => localStorage.setItem('todo.session', s), JSON.stringify(session));
        return ctx;
    };
    const timeLoad = async (page) => {
        const t0 = Date.now();
        await page.goto('/');
        await page.waitForFunction(() => document.querySelectorAll('.task-row').length >= 50);
        await page.waitForFunction(() => /\d+ tasks?/.test(document.querySelector('#list-count')?.textContent || ''));
        return Date.now() - t0;
    };

    const cold = [];
    for (let i = 0; i < LOADS; i++) {
        const ctx = await contextFor();
        cold.push(await timeLoad(await ctx.newPage()));
        await ctx.close();
    }
    const warmCtx = await contextFor();
    const warmPage = await warmCtx.newPage();
    await timeLoad(warmPage);
    const warm = [];
    for (let i = 0; i < LOADS; i++) warm.push(await timeLoad(warmPage));

    const search = [];
    const words = ['groc', 'rent', 'dent', 'plumb', 'pass', 'flow', 'ticket', 'report'];
    for (let i = 0; i < LOADS; i++) {
        const w = words[i % words.length];
        await warmPage.goto('/');
        await warmPage.waitForFunction(() => document.querySelectorAll('.task-row').length >= 1);
        const t0 = Date.now();
        const answered = warmPage.waitForResponse((r) => r.url().includes('/tasks?') && r.url().includes(`q=${w}`));
        await warmPage.getByLabel('Search tasks').fill(w);
        await answered;
        await warmPage.waitForFunction(() => document.querySelector('.task-list')?.getAttribute('aria-busy') === 'false');
        search.push(Date.now() - t0);
    }
    await warmCtx.close();

    const row = (name, what, xs) => `| ${name} | ${what} | ${pct(xs, 50)} | ${pct(xs, 95)} | ${Math.max(...xs)} |`;
    console.log(`Machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${os.type()} ${os.release()}; ` +
        `SQLite; ${N_TASKS} tasks; ${LOADS} loads each; Chromium headless on the same machine.\n`);
    console.log('| run | what | p50 ms | p95 ms | max ms |');
    console.log('|---|---|---:|---:|---:|');
    console.log(row('cold', 'new context (empty cache) → first 50 rows and the count', cold));
    console.log(row('warm', 'reload with cached assets → first 50 rows and the count', warm));
    console.log(row('search', 'type a word → only matching rows (250 ms debounce included)', search));
} finally {
    await app.stop();
}
