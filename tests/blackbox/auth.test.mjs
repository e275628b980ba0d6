// auth.test.mjs - accounts (docs/openapi.json, "Accounts"): signup, login, me, tokens and the login
// rate limits, against the real binary.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    startServer, signup, unique, decodeJwt, signJwt, assertError, RFC3339_UTC, PASSWORD, waitFor,
} from './lib/server.mjs';

/** Keeps a burst of attempts inside one clock minute: a limiter may approximate its sliding
 * window with clock-aligned fixed windows, which can let a burst that straddles the boundary
 * through. */
const awayFromMinuteBoundary = () => waitFor(() => Date.now() % 60000 < 45000,
    { deadlineMs: 20000, intervalMs: 200, what: 'the start of a clock minute' });

const TTL = 3600;

function assertUser(u, { email, name, timezone } = {}) {
    assert.deepEqual(Object.keys(u).sort(), ['created_at', 'email', 'id', 'name', 'timezone']);
    assert.equal(typeof u.id, 'string');
    assert.ok(u.id.length > 0);
    assert.match(u.created_at, RFC3339_UTC);
    if (email !== undefined) assert.equal(u.email, email);
    if (name !== undefined) assert.equal(u.name, name);
    if (timezone !== undefined) assert.equal(u.timezone, timezone);
}

describe('accounts', () => {
    let srv;
    let api;
    before(async () => {
        srv = await startServer({ env: { TODO_TOKEN_TTL: String(TTL) } });
        api = srv.api;
    });
    after(async () => { await srv?.stop(); });

    it('answers_with_a_token_or_an_account_are_never_stored_by_caches', async () => {
        const email = `${unique('nc')}@example.com`;
        const su = await api.post('/api/auth/signup', { json: { email, password: PASSWORD } });
        const li = await api.post('/api/auth/login', { json: { email, password: PASSWORD } });
        const token = li.json.token;
        const me = await api.get('/api/auth/me', { token });
        const patched = await api.patch('/api/auth/me', { token, json: { name: 'N' } });
        const tags = await api.get(`/api/${su.json.user.id}/tags`, { token });
        for (const [what, r] of Object.entries({ su, li, me, patched, tags })) {
            assert.ok(r.status < 300, `${what}: ${r.status}`);
            assert.equal(r.headers.get('cache-control'), 'no-store', what);
        }
    });

    it('signup_returns_201_with_token_expires_at_and_user_defaulting_to_utc', async () => {
        const email = `${unique('a')}@example.com`;
        const t0 = Date.now();
        const r = await api.post('/api/auth/signup', { json: { email, password: PASSWORD } });
        assert.equal(r.status, 201, r.text);
        assert.match(r.headers.get('content-type'), /^application\/json/);
        assert.deepEqual(Object.keys(r.json).sort(), ['expires_at', 'token', 'user']);
        assertUser(r.json.user, { email, timezone: 'UTC' });
        assert.equal(typeof r.json.user.name, 'string');
        assert.match(r.json.expires_at, RFC3339_UTC);
        const exp = Date.parse(r.json.expires_at);
        assert.ok(Math.abs(exp - (t0 + TTL * 1000)) < 15000, `expires_at ${r.json.expires_at} ~ now + TODO_TOKEN_TTL`);
        const created = Date.parse(r.json.user.created_at);
        assert.ok(Math.abs(created - t0) < 15000, 'created_at is now');
    });

    it('signup_token_is_hs256_jwt_with_sub_user_id_and_exp_matching_expires_at', async () => {
        const s = await signup(api);
        const { header, payload } = decodeJwt(s.token);
        assert.equal(header.alg, 'HS256');
        assert.equal(payload.sub, s.id);
        assert.equal(typeof payload.exp, 'number');
        assert.match(payload.sid, /^[0-9a-f]{32}$/, 'a session id (docs/decisions/0016)');
        assert.ok(Math.abs(payload.exp - Date.parse(s.expires_at) / 1000) <= 1, 'exp matches expires_at');
        // and it is signed with TODO_JWT_SECRET: a token we sign the same way is accepted
        const mine = signJwt({ sub: s.id, sid: decodeJwt(s.token).payload.sid, exp: Math.floor(Date.now() / 1000) + 600 },
            srv.secret);
        const r = await api.get('/api/auth/me', { token: mine });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.id, s.id);
    });

    it('signup_keeps_name_and_timezone_and_case_folds_email', async () => {
        const local = unique('Mixed');
        const r = await api.post('/api/auth/signup', {
            json: { email: `${local}@Example.COM`, password: PASSWORD, name: 'Zoë Ünicode', timezone: 'Europe/Berlin' },
        });
        assert.equal(r.status, 201, r.text);
        assertUser(r.json.user, { email: `${local}@example.com`.toLowerCase(), name: 'Zoë Ünicode', timezone: 'Europe/Berlin' });
    });

    it('signup_with_taken_email_is_409_conflict_case_insensitively', async () => {
        const s = await signup(api);
        assertError(await api.post('/api/auth/signup', { json: { email: s.email, password: PASSWORD } }), 409, 'conflict');
        assertError(await api.post('/api/auth/signup', { json: { email: s.email.toUpperCase(), password: 'another password' } }),
            409, 'conflict');
    });

    it('signup_password_of_8_characters_is_enough_and_7_is_422', async () => {
        assertError(await api.post('/api/auth/signup', { json: { email: `${unique('p')}@example.com`, password: '1234567' } }),
            422, 'validation_failed', { field: 'password' });
        // characters, not bytes: 7 two-byte characters are still too short
        assertError(await api.post('/api/auth/signup', { json: { email: `${unique('p')}@example.com`, password: 'ééééééé' } }),
            422, 'validation_failed', { field: 'password' });
        const r = await api.post('/api/auth/signup', { json: { email: `${unique('p')}@example.com`, password: '12345678' } });
        assert.equal(r.status, 201, r.text);
    });

    for (const email of ['not-an-email', 'a@', '@example.com', '', 'two@@example.com', 'sp ace@example.com']) {
        it(`signup_with_bad_email_${JSON.stringify(email)}_is_422`, async () => {
            assertError(await api.post('/api/auth/signup', { json: { email, password: PASSWORD } }),
                422, 'validation_failed', { field: 'email' });
        });
    }

    it('signup_with_unknown_timezone_is_422', async () => {
        for (const timezone of ['Mars/Olympus_Mons', 'UTC+25', '', 'Europe/../../etc/passwd']) {
            assertError(await api.post('/api/auth/signup', {
                json: { email: `${unique('tz')}@example.com`, password: PASSWORD, timezone },
            }), 422, 'validation_failed', { field: 'timezone' });
        }
    });

    it('signup_with_missing_password_or_email_or_unknown_field_is_422', async () => {
        assertError(await api.post('/api/auth/signup', { json: { email: `${unique('m')}@example.com` } }),
            422, 'validation_failed', { field: 'password' });
        assertError(await api.post('/api/auth/signup', { json: { password: PASSWORD } }),
            422, 'validation_failed', { field: 'email' });
        assertError(await api.post('/api/auth/signup', {
            json: { email: `${unique('m')}@example.com`, password: PASSWORD, admin: true },
        }), 422, 'validation_failed');
    });

    it('login_returns_200_token_and_user_and_the_token_works', async () => {
        const s = await signup(api, { name: 'Login Person' });
        const r = await api.post('/api/auth/login', { json: { email: s.email, password: s.password } });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(Object.keys(r.json).sort(), ['expires_at', 'token', 'user']);
        assert.deepEqual(r.json.user, s.user);
        assert.equal(decodeJwt(r.json.token).payload.sub, s.id);
        const me = await api.get('/api/auth/me', { token: r.json.token });
        assert.equal(me.status, 200);
        assert.deepEqual(me.json, s.user);
    });

    it('login_email_is_case_insensitive', async () => {
        const s = await signup(api);
        const r = await api.post('/api/auth/login', { json: { email: s.email.toUpperCase(), password: s.password } });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.user.id, s.id);
    });

    it('login_wrong_password_and_unknown_email_give_the_same_401', async () => {
        const s = await signup(api);
        const wrong = await api.post('/api/auth/login', { json: { email: s.email, password: 'not the password' } });
        const unknown = await api.post('/api/auth/login', {
            json: { email: `${unique('nobody')}@example.com`, password: 'not the password' },
        });
        assertError(wrong, 401, 'unauthorized');
        assertError(unknown, 401, 'unauthorized');
        // the same error (a per-request id, if the body carries one, may differ)
        assert.deepEqual(wrong.json.error, unknown.json.error, 'same error: login does not reveal which emails exist');
        assert.deepEqual(Object.keys(wrong.json).sort(), Object.keys(unknown.json).sort());
    });

    it('me_get_returns_the_user', async () => {
        const s = await signup(api, { name: 'Me', timezone: 'Asia/Tokyo' });
        const r = await api.get('/api/auth/me', { token: s.token });
        assert.equal(r.status, 200, r.text);
        assertUser(r.json, { email: s.email.toLowerCase(), name: 'Me', timezone: 'Asia/Tokyo' });
        assert.deepEqual(r.json, s.user);
    });

    it('me_patch_changes_name_and_timezone_and_keeps_the_rest', async () => {
        const s = await signup(api, { name: 'Before' });
        const r = await api.patch('/api/auth/me', { token: s.token, json: { name: 'After', timezone: 'America/New_York' } });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json, { ...s.user, name: 'After', timezone: 'America/New_York' });
        const r2 = await api.patch('/api/auth/me', { token: s.token, json: { timezone: 'Pacific/Kiritimati' } });
        assert.equal(r2.status, 200, r2.text);
        assert.deepEqual(r2.json, { ...s.user, name: 'After', timezone: 'Pacific/Kiritimati' });
        const me = await api.get('/api/auth/me', { token: s.token });
        assert.deepEqual(me.json, r2.json);
    });

    it('me_patch_with_unknown_timezone_or_unknown_field_is_422_and_changes_nothing', async () => {
        const s = await signup(api, { name: 'Stay' });
        assertError(await api.patch('/api/auth/me', { token: s.token, json: { timezone: 'Nowhere/Land' } }),
            422, 'validation_failed', { field: 'timezone' });
        assertError(await api.patch('/api/auth/me', { token: s.token, json: { name: 'X', colour: 'red' } }),
            422, 'validation_failed');
        assertError(await api.patch('/api/auth/me', { token: s.token, json: { name: 42 } }),
            422, 'validation_failed', { field: 'name' });
        const me = await api.get('/api/auth/me', { token: s.token });
        assert.deepEqual(me.json, s.user);
    });

    it('me_without_or_with_bad_token_is_401', async () => {
        const s = await signup(api);
        assertError(await api.get('/api/auth/me'), 401, 'unauthorized');
        assertError(await api.get('/api/auth/me', { token: 'garbage' }), 401, 'unauthorized');
        assertError(await api.patch('/api/auth/me', { json: { name: 'x' } }), 401, 'unauthorized');
        const expired = signJwt({ sub: s.id, exp: Math.floor(Date.now() / 1000) - 120 }, srv.secret);
        assertError(await api.get('/api/auth/me', { token: expired }), 401, 'unauthorized');
        const forged = signJwt({ sub: s.id, exp: Math.floor(Date.now() / 1000) + 600 }, 'not-the-secret');
        assertError(await api.get('/api/auth/me', { token: forged }), 401, 'unauthorized');
        const none = signJwt({ sub: s.id, exp: Math.floor(Date.now() / 1000) + 600 }, '', { alg: 'none', typ: 'JWT' });
        assertError(await api.get('/api/auth/me', { token: none }), 401, 'unauthorized');
    });

    it('signup_and_login_do_not_need_a_token', async () => {
        const s = await signup(api);
        const r = await api.post('/api/auth/login', { json: { email: s.email, password: s.password },
            headers: { authorization: 'Bearer garbage' } });
        // a stale token must not stop someone from logging in again
        assert.equal(r.status, 200, r.text);
    });

    it('passwords_and_tokens_never_appear_in_the_logs', async () => {
        const password = `secret-${unique('pw')}`;
        const s = await signup(api, { password });
        await api.post('/api/auth/login', { json: { email: s.email, password } });
        await api.post('/api/auth/login', { json: { email: s.email, password: `${password}-wrong` } });
        await api.get('/api/auth/me', { token: s.token });
        const logs = srv.stdout() + srv.stderr();
        assert.ok(!logs.includes(password), 'password in logs');
        assert.ok(!logs.includes(s.token), 'token in logs');
        assert.ok(!logs.includes(s.token.split('.')[2]), 'token signature in logs');
    });
});

describe('login rate limit per email (TODO_LOGIN_LIMIT=5)', () => {
    let srv;
    before(async () => { srv = await startServer({ env: { TODO_LOGIN_LIMIT: '5', TODO_LOGIN_LIMIT_ADDR: '1000' } }); });
    after(async () => { await srv?.stop(); });

    it('sixth_login_attempt_within_a_minute_is_429_even_with_the_right_password', async () => {
        const api = srv.api;
        const s = await signup(api);
        await awayFromMinuteBoundary();
        for (let i = 0; i < 5; i++) {
            assertError(await api.post('/api/auth/login', { json: { email: s.email, password: `wrong-${i}-password` } }),
                401, 'unauthorized');
        }
        assertError(await api.post('/api/auth/login', { json: { email: s.email, password: 'wrong-6-password' } }),
            429, 'rate_limited');
        assertError(await api.post('/api/auth/login', { json: { email: s.email, password: s.password } }),
            429, 'rate_limited');
        // the limit is per email and case-insensitive: the same address in capitals is the same email
        assertError(await api.post('/api/auth/login', { json: { email: s.email.toUpperCase(), password: s.password } }),
            429, 'rate_limited');
    });

    it('another_email_is_not_limited_by_someone_elses_attempts', async () => {
        const api = srv.api;
        const victim = await signup(api);
        const other = await signup(api);
        for (let i = 0; i < 6; i++) {
            await api.post('/api/auth/login', { json: { email: victim.email, password: 'wrong password!' } });
        }
        const r = await api.post('/api/auth/login', { json: { email: other.email, password: other.password } });
        assert.equal(r.status, 200, r.text);
    });
});

describe('login rate limit per client address (TODO_LOGIN_LIMIT_ADDR=3)', () => {
    let srv;
    before(async () => { srv = await startServer({ env: { TODO_LOGIN_LIMIT: '100', TODO_LOGIN_LIMIT_ADDR: '3' } }); });
    after(async () => { await srv?.stop(); });

    it('fourth_login_from_one_address_within_a_minute_is_429_whatever_the_email', async () => {
        const api = srv.api;
        const s = await signup(api);
        await awayFromMinuteBoundary();
        for (let i = 0; i < 3; i++) {
            assertError(await api.post('/api/auth/login', {
                json: { email: `${unique('spray')}@example.com`, password: 'guess guess' },
            }), 401, 'unauthorized');
        }
        assertError(await api.post('/api/auth/login', { json: { email: s.email, password: s.password } }),
            429, 'rate_limited');
    });
});
