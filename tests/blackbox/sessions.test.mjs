// Sessions (docs/decisions/0016-token-revocation.md): sign-out ends that token on the server,
// "sign out everywhere" ends every token of the user, a password change ends every other
// session and answers the caller a fresh token; a second `todo api` over the same database
// refuses a session ended on the first within a polling deadline. Token claims (nbf, sid) and
// the Authorization header (a tab after Bearer; two headers refused). Sign-up limits and the
// admission lanes (docs/decisions/0017-sign-up-limits-and-admission.md): a flood of sign-ups
// never makes a login of an existing user fail.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
    startServer, signup, unique, signJwt, decodeJwt, assertError, waitFor, PASSWORD,
} from './lib/server.mjs';

const login = (api, s, password = s.password) =>
    api.post('/api/auth/login', { json: { email: s.email, password } });

async function loginOk(api, s, password) {
    const r = await login(api, s, password);
    assert.equal(r.status, 200, r.text);
    return r.json.token;
}

const me = (api, token) => api.get('/api/auth/me', { token });

/** Sends raw request text over TCP and resolves the status code of the answer. */
function rawStatus(port, text) {
    return new Promise((resolve, reject) => {
        const sock = net.connect(port, '127.0.0.1', () => sock.end(text));
        let got = '';
        sock.setEncoding('latin1');
        sock.setTimeout(20000, () => sock.destroy(new Error('timeout')));
        sock.on('data', (d) => { got += d; });
        sock.on('error', reject);
        sock.on('close', () => {
            const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
            if (m) resolve(Number(m[1])); else reject(new Error(`no status line in ${JSON.stringify(got.slice(0, 200))}`));
        });
    });
}

describe('sign-out, sign out everywhere, password change', () => {
    let srv;
    let api;
    before(async () => { srv = await startServer(); api = srv.api; });
    after(async () => { await srv?.stop(); });

    it('logout_makes_that_token_401_and_leaves_the_other_sessions', async () => {
        const s = await signup(api);
        const other = await loginOk(api, s);
        assert.equal((await me(api, s.token)).status, 200);
        const r = await api.post('/api/auth/logout', { token: s.token });
        assert.equal(r.status, 204, r.text);
        const after = await me(api, s.token);
        assertError(after, 401, 'unauthorized');
        assert.match(after.headers.get('www-authenticate') || '', /^Bearer/);
        assertError(await api.get(`/api/${s.id}/tasks`, { token: s.token }), 401, 'unauthorized');
        assertError(await api.post('/api/auth/logout', { token: s.token }), 401, 'unauthorized');
        assert.equal((await me(api, other)).status, 200, 'another session of the same user goes on');
    });

    it('logout_and_logout_all_without_a_token_are_401', async () => {
        assertError(await api.post('/api/auth/logout'), 401, 'unauthorized');
        assertError(await api.post('/api/auth/logout-all', { token: 'garbage' }), 401, 'unauthorized');
    });

    it('logout_all_ends_every_token_of_the_user_and_a_new_login_works', async () => {
        const s = await signup(api);
        const t2 = await loginOk(api, s);
        const t3 = await loginOk(api, s);
        const bystander = await signup(api);
        const r = await api.post('/api/auth/logout-all', { token: t2 });
        assert.equal(r.status, 204, r.text);
        for (const t of [s.token, t2, t3]) {
            assertError(await me(api, t), 401, 'unauthorized');
            assertError(await api.get(`/api/${s.id}/tasks`, { token: t }), 401, 'unauthorized');
        }
        assert.equal((await me(api, bystander.token)).status, 200, 'other users are not signed out');
        const again = await loginOk(api, s);
        assert.equal((await me(api, again)).status, 200, 'signing in again starts a new session');
    });

    it('password_change_ends_other_sessions_and_answers_the_caller_a_fresh_token', async () => {
        const s = await signup(api);
        const other = await loginOk(api, s);
        const newPassword = `new ${PASSWORD}`;
        const r = await api.post('/api/auth/password', { token: s.token,
            json: { current_password: s.password, new_password: newPassword } });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(Object.keys(r.json).sort(), ['expires_at', 'token', 'user']);
        assert.equal(r.headers.get('cache-control'), 'no-store');
        assert.deepEqual(r.json.user, s.user);
        assert.equal(decodeJwt(r.json.token).payload.sid, decodeJwt(s.token).payload.sid,
            'the caller keeps its session');
        assert.equal((await me(api, r.json.token)).status, 200);
        assertError(await me(api, other), 401, 'unauthorized');
        assertError(await login(api, s), 401, 'unauthorized');
        assert.equal((await login(api, s, newPassword)).status, 200);
    });

    it('password_change_with_a_wrong_current_password_is_422_and_changes_nothing', async () => {
        const s = await signup(api);
        const other = await loginOk(api, s);
        assertError(await api.post('/api/auth/password', { token: s.token,
            json: { current_password: 'not the password', new_password: 'another password' } }),
        422, 'validation_failed', { field: 'current_password' });
        assert.equal((await me(api, other)).status, 200);
        assert.equal((await login(api, s)).status, 200, 'the old password still works');
    });

    it('password_change_refuses_bad_bodies_and_missing_tokens', async () => {
        const s = await signup(api);
        const post = (json, token = s.token) => api.post('/api/auth/password', { token, json });
        assertError(await post({ current_password: s.password, new_password: 'short' }), 422,
            'validation_failed', { field: 'new_password' });
        assertError(await post({ current_password: s.password }), 422, 'validation_failed', { field: 'new_password' });
        assertError(await post({ new_password: 'long enough now' }), 422, 'validation_failed',
            { field: 'current_password' });
        assertError(await post({ current_password: s.password, new_password: 'long enough now', admin: true }),
            422, 'validation_failed');
        assertError(await post([s.password]), 400, 'bad_request');
        assertError(await post({ current_password: s.password, new_password: 'long enough now' }, null),
            401, 'unauthorized');
        assert.equal((await login(api, s)).status, 200, 'nothing changed');
    });

    it('a_token_with_nbf_in_the_future_or_without_sid_is_401', async () => {
        const s = await signup(api);
        const { sid } = decodeJwt(s.token).payload;
        const now = Math.floor(Date.now() / 1000);
        const future = signJwt({ sub: s.id, sid, exp: now + 600, nbf: now + 300 }, srv.secret);
        assertError(await me(api, future), 401, 'unauthorized');
        const past = signJwt({ sub: s.id, sid, exp: now + 600, nbf: now - 300 }, srv.secret);
        assert.equal((await me(api, past)).status, 200);
        const noSid = signJwt({ sub: s.id, exp: now + 600, iat: now }, srv.secret);
        assertError(await me(api, noSid), 401, 'unauthorized');
    });

    it('bearer_followed_by_a_tab_is_accepted_and_ambiguous_headers_are_refused', async () => {
        const s = await signup(api);
        const req = (...auth) => rawStatus(srv.port, ['GET /api/auth/me HTTP/1.1', 'Host: x', 'Connection: close',
            ...auth.map((a) => `Authorization: ${a}`), '', ''].join('\r\n'));
        assert.equal(await req(`Bearer\t${s.token}`), 200);
        assert.equal(await req(`bearer \t ${s.token}`), 200);
        assert.equal(await req(`Bearer ${s.token}`, `Bearer ${s.token}`), 401, 'two Authorization headers');
        assert.equal(await req(`Bearer ${s.token} ${s.token}`), 401, 'two tokens');
        assert.equal(await req(`Bearer ${s.token},x`), 401);
        assert.equal(await req(`Bearer${s.token}`), 401);
    });
});

describe('two api processes over one database', () => {
    let one;
    let two;
    before(async () => {
        one = await startServer({ command: 'api' });
        two = await startServer({ command: 'api', databaseUrl: one.databaseUrl, secret: one.secret, migrate: false });
    });
    after(async () => { await two?.stop(); await one?.stop(); });

    /** Polls the other replica until the token is refused (the watcher refreshes every ~1 s). */
    const refusedOn = (srv, token, what) => waitFor(async () => (await me(srv.api, token)).status === 401,
        { deadlineMs: 15000, intervalMs: 100, what });

    it('a_logout_on_one_is_refused_on_the_other_within_the_deadline', async () => {
        const s = await signup(one.api);
        assert.equal((await me(two.api, s.token)).status, 200, 'the other replica accepts the token');
        assert.equal((await one.api.post('/api/auth/logout', { token: s.token })).status, 204);
        assertError(await me(one.api, s.token), 401, 'unauthorized');
        await refusedOn(two, s.token, 'the second replica to refuse a token signed out on the first');
    });

    it('logout_all_and_a_password_change_on_one_reach_the_other', async () => {
        const s = await signup(two.api);
        const t2 = await loginOk(one.api, s);
        const t3 = await loginOk(one.api, s);
        for (const t of [s.token, t2, t3]) assert.equal((await me(one.api, t)).status, 200);
        const pw = await two.api.post('/api/auth/password', { token: s.token,
            json: { current_password: s.password, new_password: 'a brand new password' } });
        assert.equal(pw.status, 200, pw.text);
        await refusedOn(one, t2, 'a password change on one replica to end a session on the other');
        assert.equal((await me(one.api, pw.json.token)).status, 200, "the caller's fresh token works everywhere");
        assert.equal((await two.api.post('/api/auth/logout-all', { token: t3 })).status, 401,
            't3 was ended by the password change too');
        assert.equal((await one.api.post('/api/auth/logout-all', { token: pw.json.token })).status, 204);
        await refusedOn(two, pw.json.token, 'sign out everywhere to reach the other replica');
    });
});

describe('sign-up limits per address (TODO_SIGNUP_LIMIT_ADDR=5)', () => {
    let srv;
    before(async () => { srv = await startServer({ env: { TODO_SIGNUP_LIMIT_ADDR: '5' } }); });
    after(async () => { await srv?.stop(); });

    it('a_flood_of_sign_ups_from_one_address_is_429_with_retry_after_and_a_login_still_succeeds', async () => {
        const api = srv.api;
        const existing = await signup(api);
        const flood = Array.from({ length: 40 }, () => api.post('/api/auth/signup',
            { json: { email: `${unique('flood')}@example.com`, password: PASSWORD } }));
        const logins = Array.from({ length: 3 }, () => login(api, existing));
        const [signups, answers] = await Promise.all([Promise.all(flood), Promise.all(logins)]);
        for (const r of answers) assert.equal(r.status, 200, `login during the flood: ${r.status} ${r.text}`);
        const statuses = signups.map((r) => r.status);
        assert.ok(statuses.every((st) => [201, 429, 503].includes(st)), `statuses: ${statuses}`);
        assert.ok(statuses.filter((st) => st === 201).length <= 4, `at most the limit less the first: ${statuses}`);
        const limited = signups.filter((r) => r.status === 429);
        assert.ok(limited.length >= 30, `most are refused: ${statuses}`);
        for (const r of limited) {
            assertError(r, 429, 'rate_limited');
            assert.match(r.headers.get('retry-after') || '', /^[1-9]\d*$/, 'Retry-After in seconds');
            assert.ok(Number(r.headers.get('retry-after')) <= 7200);
        }
    });
});

describe('a flood of sign-ups from many addresses (limit off)', () => {
    let srv;
    before(async () => { srv = await startServer({ env: { TODO_SIGNUP_LIMIT_ADDR: '0' } }); });
    after(async () => { await srv?.stop(); });

    it('logins_of_existing_users_succeed_while_sign_ups_wait_or_get_503_with_retry_after', async () => {
        const api = srv.api;
        const existing = await signup(api);
        const flood = Array.from({ length: 150 }, () => api.post('/api/auth/signup',
            { json: { email: `${unique('many')}@example.com`, password: PASSWORD } }));
        const logins = [];
        for (let i = 0; i < 5; i++) logins.push(login(api, existing));
        const [signups, answers] = await Promise.all([Promise.all(flood), Promise.all(logins)]);
        for (const r of answers) assert.equal(r.status, 200, `login during the flood: ${r.status} ${r.text}`);
        for (const r of signups) {
            assert.ok([201, 503].includes(r.status), `sign-up: ${r.status} ${r.text}`);
            if (r.status === 503) {
                assertError(r, 503, 'unavailable');
                assert.equal(r.headers.get('retry-after'), '1');
            }
        }
    });
});
