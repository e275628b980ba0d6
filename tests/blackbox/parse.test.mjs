// parse.test.mjs - `todo parse` (docs/assistant-evaluation.md): the assistant parser's JSON
// (src/core/nlp.h) for a message given as arguments or for each line of stdin, the flags
// --now and --tz, and a clear exit 2 for a bad flag.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { runTodo, TODO_BIN } from './lib/server.mjs';

const ALWAYS = ['intent', 'title', 'due', 'all_day', 'rrule', 'from_completion'];

function assertParse(obj) {
    for (const k of ALWAYS) assert.ok(k in obj, `missing ${k} in ${JSON.stringify(obj)}`);
    assert.equal(typeof obj.intent, 'string');
    assert.equal(typeof obj.all_day, 'boolean');
    assert.equal(typeof obj.from_completion, 'boolean');
}

/** Runs `todo parse args` with input on stdin; resolves {code, stdout, stderr}. */
function parseStdin(args, input) {
    return new Promise((resolve, reject) => {
        const child = spawn(TODO_BIN, ['parse', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => { stdout += d; });
        child.stderr.on('data', (d) => { stderr += d; });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end(input);
    });
}

describe('todo parse', () => {
    it('prints one compact JSON line for the message given as arguments', async () => {
        const r = await runTodo(['parse', '--now', '2026-12-06T15:00:00Z', '--tz',
            'America/New_York', 'call', 'mom', 'tomorrow']);
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.split('\n');
        assert.equal(lines.length, 2, r.stdout);
        assert.equal(lines[1], '');
        assert.ok(!lines[0].includes(' "'), 'compact JSON');
        assertParse(JSON.parse(lines[0]));
    });

    it('reads the message at --now in --tz (the due carries the zone offset at the due instant)', async () => {
        const r = await runTodo(['parse', '--now', '2026-03-07T17:00:00Z', '--tz',
            'America/New_York', 'call mom tomorrow at 5pm']);
        assert.equal(r.code, 0, r.stderr);
        const out = JSON.parse(r.stdout);
        assert.equal(out.intent, 'add');
        assert.equal(out.due, '2026-03-08T17:00:00-04:00', 'EDT on the day after the change');
        assert.equal(out.all_day, false);
        const utc = JSON.parse((await runTodo(['parse', '--now', '2026-03-07T17:00:00Z',
            'call mom tomorrow at 5pm'])).stdout);
        assert.equal(Date.parse(utc.due), Date.parse('2026-03-08T17:00:00Z'), 'UTC by default');
    });

    it('accepts --flag=value and a single quoted message', async () => {
        const r = await runTodo(['parse', '--now=2026-12-06T15:00:00Z', '--tz=Europe/Berlin',
            'buy milk #groceries !high']);
        assert.equal(r.code, 0, r.stderr);
        assertParse(JSON.parse(r.stdout));
    });

    it('prints one JSON per stdin line, in order, blank lines included', async () => {
        const r = await parseStdin(['--tz', 'Asia/Kolkata'], 'buy milk\r\n\ndelete task 3\nhelp');
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.trimEnd().split('\n');
        assert.equal(lines.length, 4, r.stdout);
        lines.forEach((l) => assertParse(JSON.parse(l)));
    });

    it('gives the same answer on stdin as in arguments', async () => {
        const flags = ['--now', '2026-12-08T15:00:00Z', '--tz', 'America/New_York'];
        const text = 'standup every weekday at 9:30 #work';
        const a = await runTodo(['parse', ...flags, text]);
        const b = await parseStdin(flags, `${text}\n`);
        assert.equal(a.code, 0, a.stderr);
        assert.equal(b.stdout, a.stdout);
    });

    it('refuses an unreadable --now or an unknown --tz with exit 2 and prints nothing', async () => {
        for (const args of [['--now', 'yesterday', 'x'], ['--tz', 'Mars/Olympus', 'x'],
            ['--bogus', 'x'], ['--now']]) {
            const r = await runTodo(['parse', ...args]);
            assert.equal(r.code, 2, `${args}: ${r.stdout}`);
            assert.equal(r.stdout, '');
            assert.match(r.stderr, /todo parse|usage/);
        }
    });

    it('does not fail on invalid UTF-8', async () => {
        const r = await parseStdin([], Buffer.from([0xff, 0xfe, 0x41, 0x0a]));
        assert.equal(r.code, 0, r.stderr);
        const out = JSON.parse(r.stdout);
        assertParse(out);
        assert.equal(out.intent, 'unknown');
    });
});
