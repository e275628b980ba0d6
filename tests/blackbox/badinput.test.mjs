// badinput.test.mjs - a table of malformed requests. Each gets exactly the documented status,
// error code and error shape (the API conventions, docs/openapi.json); none may crash the server or change the
// user's tasks. SQL metacharacters are valid text and are stored verbatim.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newUser, assertError, rawRequest, signJwt } from './lib/server.mjs';

const JSON_CT = { 'content-type': 'application/json' };
const MiB = 1024 * 1024;
const BAD = ['bad_request', 400];
const VALID = ['validation_failed', 422];
const NOTFOUND = ['not_found', 404];
const UNAUTH = ['unauthorized', 401];
const MEDIA = ['unsupported_media_type', 415];

const now = () => Math.floor(Date.now() / 1000);

/** A JSON create body of exactly n bytes (a long description). */
function bodyOfSize(n) {
    const head = '{"title":"big","description":"';
    const tail = '"}';
    return Buffer.from(head + 'a'.repeat(n - head.length - tail.length) + tail);
}

const tasks = (c) => `/api/${c.uid}/tasks`;
const task = (c) => `/api/${c.uid}/tasks/${c.tid}`;

// [name, request, expected]. request: {method, path(ctx), headers?, body? (bytes, no type
// added), json?, auth? (exact Authorization value, or null for none), raw? (node:http)}.
// expected: [code, status] or, where the contract leaves two readings open, a list of them (the
// reason is given next to the row).
const TABLE = [
    // ---- malformed JSON: 400 ----
    ['truncated_json', { method: 'POST', path: tasks, headers: JSON_CT, body: '{"title": "x"' }, BAD],
    ['truncated_inside_string', { method: 'POST', path: tasks, headers: JSON_CT, body: '{"title": "x' }, BAD],
    ['unquoted_key', { method: 'POST', path: tasks, headers: JSON_CT, body: '{title: "x"}' }, BAD],
    ['single_quotes', { method: 'POST', path: tasks, headers: JSON_CT, body: "{'title': 'x'}" }, BAD],
    ['trailing_comma', { method: 'POST', path: tasks, headers: JSON_CT, body: '{"title":"x",}' }, BAD],
    ['trailing_garbage', { method: 'POST', path: tasks, headers: JSON_CT, body: '{"title":"x"} junk' }, BAD],
    ['two_documents', { method: 'POST', path: tasks, headers: JSON_CT, body: '{"title":"x"}{"title":"y"}' }, BAD],
    ['empty_body_with_json_type', { method: 'POST', path: tasks, headers: JSON_CT, body: '' }, BAD],
    ['whitespace_body', { method: 'POST', path: tasks, headers: JSON_CT, body: '  \n ' }, BAD],
    ['array_body', { method: 'POST', path: tasks, headers: JSON_CT, body: '[{"title":"x"}]' }, BAD],
    ['string_body', { method: 'POST', path: tasks, headers: JSON_CT, body: '"x"' }, BAD],
    ['null_body', { method: 'POST', path: tasks, headers: JSON_CT, body: 'null' }, BAD],
    ['number_body', { method: 'POST', path: tasks, headers: JSON_CT, body: '42' }, BAD],
    ['raw_nul_byte_in_string', { method: 'POST', path: tasks, headers: JSON_CT,
        body: Buffer.from([...Buffer.from('{"title":"a'), 0x00, ...Buffer.from('b"}')]) }, BAD],
    ['raw_control_char_in_string', { method: 'POST', path: tasks, headers: JSON_CT, body: '{"title":"a\u0001b"}' }, BAD],
    ['invalid_utf8_bytes', { method: 'POST', path: tasks, headers: JSON_CT,
        body: Buffer.from([...Buffer.from('{"title":"a'), 0xff, 0xfe, ...Buffer.from('b"}')]) }, BAD],
    ['overlong_utf8_encoding', { method: 'POST', path: tasks, headers: JSON_CT,
        body: Buffer.from([...Buffer.from('{"title":"a'), 0xc0, 0xaf, ...Buffer.from('"}')]) }, BAD],
    ['truncated_utf8_sequence', { method: 'POST', path: tasks, headers: JSON_CT,
        body: Buffer.from([...Buffer.from('{"title":"a'), 0xe2, 0x82, ...Buffer.from('"}')]) }, BAD],
    ['invalid_utf8_in_patch', { method: 'PATCH', path: task, headers: JSON_CT,
        body: Buffer.from([...Buffer.from('{"description":"'), 0xed, 0xa0, 0x80, ...Buffer.from('"}')]) }, BAD],
    // "\u0000" and a lone surrogate escape are well-formed JSON text whose value is not
    // acceptable text: a parser may refuse them (400) or validation may (422); never stored.
    ['escaped_nul_in_title', { method: 'POST', path: tasks, json: { title: 'a\u0000b' } }, [BAD, VALID]],
    ['escaped_nul_in_patch_title', { method: 'PATCH', path: task, json: { title: '\u0000' } }, [BAD, VALID]],
    ['lone_surrogate_escape', { method: 'POST', path: tasks, headers: JSON_CT, body: '{"title":"a\\ud800b"}' }, [BAD, VALID]],
    // nesting past any parser's depth limit: refused as malformed (400) or as a wrong type (422)
    ['deeply_nested_arrays', { method: 'POST', path: tasks, headers: JSON_CT,
        body: `{"title":"x","tags":${'['.repeat(100000)}${']'.repeat(100000)}}` }, [BAD, VALID]],
    ['huge_number', { method: 'POST', path: tasks, headers: JSON_CT, body: `{"title":"x","priority":1${'0'.repeat(400)}}` }, [BAD, VALID]],

    // ---- wrong types and values: 422 naming the field ----
    ['title_number', { method: 'POST', path: tasks, json: { title: 123 } }, VALID, 'title'],
    ['title_null', { method: 'POST', path: tasks, json: { title: null } }, VALID, 'title'],
    ['title_array', { method: 'POST', path: tasks, json: { title: ['x'] } }, VALID, 'title'],
    ['title_object', { method: 'POST', path: tasks, json: { title: { x: 1 } } }, VALID, 'title'],
    ['title_bool', { method: 'POST', path: tasks, json: { title: true } }, VALID, 'title'],
    ['description_number', { method: 'POST', path: tasks, json: { title: 'x', description: 5 } }, VALID, 'description'],
    ['completed_string', { method: 'POST', path: tasks, json: { title: 'x', completed: 'yes' } }, VALID, 'completed'],
    ['completed_number', { method: 'POST', path: tasks, json: { title: 'x', completed: 1 } }, VALID, 'completed'],
    ['status_unknown', { method: 'POST', path: tasks, json: { title: 'x', status: 'done' } }, VALID, 'status'],
    ['status_bool', { method: 'POST', path: tasks, json: { title: 'x', status: true } }, VALID, 'status'],
    ['priority_unknown', { method: 'POST', path: tasks, json: { title: 'x', priority: 'urgent' } }, VALID, 'priority'],
    ['priority_number', { method: 'POST', path: tasks, json: { title: 'x', priority: 3 } }, VALID, 'priority'],
    ['tags_string', { method: 'POST', path: tasks, json: { title: 'x', tags: 'home' } }, VALID, 'tags'],
    ['tags_numbers', { method: 'POST', path: tasks, json: { title: 'x', tags: [1, 2] } }, VALID, 'tags'],
    ['tags_null_item', { method: 'POST', path: tasks, json: { title: 'x', tags: [null] } }, VALID, 'tags'],
    ['tags_object', { method: 'POST', path: tasks, json: { title: 'x', tags: { a: 1 } } }, VALID, 'tags'],
    ['tags_21', { method: 'POST', path: tasks, json: { title: 'x', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) } }, VALID, 'tags'],
    ['tag_51_chars', { method: 'POST', path: tasks, json: { title: 'x', tags: ['t'.repeat(51)] } }, VALID, 'tags'],
    ['tag_with_space', { method: 'POST', path: tasks, json: { title: 'x', tags: ['two words'] } }, VALID, 'tags'],
    ['due_at_number', { method: 'POST', path: tasks, json: { title: 'x', due_at: 1767225600 } }, VALID, 'due_at'],
    ['due_at_feb_30', { method: 'POST', path: tasks, json: { title: 'x', due_at: '2026-02-30T10:00:00Z' } }, VALID, 'due_at'],
    ['due_at_hour_25', { method: 'POST', path: tasks, json: { title: 'x', due_at: '2026-01-01T25:00:00Z' } }, VALID, 'due_at'],
    ['due_at_minute_60', { method: 'POST', path: tasks, json: { title: 'x', due_at: '2026-01-01T10:60:00Z' } }, VALID, 'due_at'],
    ['due_at_leap_second', { method: 'POST', path: tasks, json: { title: 'x', due_at: '2026-01-01T10:00:60Z' } }, VALID, 'due_at'],
    ['due_at_no_offset', { method: 'POST', path: tasks, json: { title: 'x', due_at: '2026-01-01T10:00:00' } }, VALID, 'due_at'],
    ['due_at_date_only', { method: 'POST', path: tasks, json: { title: 'x', due_at: '2026-01-01' } }, VALID, 'due_at'],
    ['due_at_words', { method: 'POST', path: tasks, json: { title: 'x', due_at: 'tomorrow' } }, VALID, 'due_at'],
    ['due_at_bad_offset', { method: 'POST', path: tasks, json: { title: 'x', due_at: '2026-01-01T10:00:00+25:00' } }, VALID, 'due_at'],
    ['due_at_feb_29_non_leap', { method: 'POST', path: tasks, json: { title: 'x', due_at: '2027-02-29T10:00:00Z' } }, VALID, 'due_at'],
    ['due_at_month_13', { method: 'POST', path: tasks, json: { title: 'x', due_at: '2026-13-01T00:00:00Z' } }, VALID, 'due_at'],
    ['reminders_object', { method: 'POST', path: tasks, json: { title: 'x', due_at: '2030-01-01T00:00:00Z', reminders: {} } }, VALID, 'reminders'],
    ['reminder_before_number', { method: 'POST', path: tasks, json: { title: 'x', due_at: '2030-01-01T00:00:00Z', reminders: [{ before: 5 }] } }, VALID, 'reminders'],
    ['reminder_before_without_due', { method: 'POST', path: tasks, json: { title: 'x', reminders: [{ before: 'PT1H' }] } }, VALID, 'reminders'],
    ['reminder_at_impossible', { method: 'POST', path: tasks, json: { title: 'x', reminders: [{ at: '2030-02-30T00:00:00Z' }] } }, VALID, 'reminders'],
    ['reminders_11', { method: 'POST', path: tasks, json: { title: 'x', due_at: '2030-01-01T00:00:00Z',
        reminders: Array.from({ length: 11 }, (_, i) => ({ before: `PT${i + 1}M` })) } }, VALID, 'reminders'],
    ['recurrence_string', { method: 'POST', path: tasks, json: { title: 'x', recurrence: 'daily' } }, VALID, 'recurrence'],
    ['recurrence_array', { method: 'POST', path: tasks, json: { title: 'x', recurrence: [] } }, VALID, 'recurrence'],
    ['recurrence_rule_number', { method: 'POST', path: tasks, json: { title: 'x', recurrence: { rule: 5, from: 'completion' } } }, VALID, 'recurrence'],
    ['recurrence_from_unknown', { method: 'POST', path: tasks, json: { title: 'x', due_at: '2030-01-01T00:00:00Z', recurrence: { rule: 'daily', from: 'later' } } }, VALID, 'recurrence'],
    ['recurrence_minutely', { method: 'POST', path: tasks, json: { title: 'x', recurrence: { rule: 'FREQ=MINUTELY', from: 'completion' } } }, VALID, 'recurrence'],
    ['recurrence_count_1001', { method: 'POST', path: tasks, json: { title: 'x', recurrence: { rule: 'FREQ=DAILY;COUNT=1001', from: 'completion' } } }, VALID, 'recurrence'],
    ['recurrence_from_due_without_due', { method: 'POST', path: tasks, json: { title: 'x', recurrence: { rule: 'weekly', from: 'due' } } }, VALID],
    ['unknown_field', { method: 'POST', path: tasks, json: { title: 'x', colour: 'red' } }, VALID],
    ['title_501_chars', { method: 'POST', path: tasks, json: { title: 'x'.repeat(501) } }, VALID, 'title'],
    ['title_blank', { method: 'POST', path: tasks, json: { title: ' \t\n ' } }, VALID, 'title'],
    ['description_10001_chars', { method: 'POST', path: tasks, json: { title: 'x', description: 'd'.repeat(10001) } }, VALID, 'description'],
    ['put_wrong_type', { method: 'PUT', path: task, json: { title: 'x', priority: 7 } }, VALID, 'priority'],
    ['patch_wrong_type', { method: 'PATCH', path: task, json: { due_at: 'soon' } }, VALID, 'due_at'],
    ['patch_title_null', { method: 'PATCH', path: task, json: { title: null } }, VALID, 'title'],
    ['patch_unknown_field', { method: 'PATCH', path: task, json: { owner: 'someone-else' } }, VALID],
    ['complete_with_string', { method: 'PATCH', path: (c) => `${task(c)}/complete`, json: { completed: 'yes' } }, VALID, 'completed'],
    ['complete_with_unknown_field', { method: 'PATCH', path: (c) => `${task(c)}/complete`, json: { completed: true, title: 'x' } }, VALID],
    ['me_timezone_number', { method: 'PATCH', path: () => '/api/auth/me', json: { timezone: 5 } }, VALID, 'timezone'],

    // ---- size: 413 above 1 MiB, and exactly 1 MiB is still read (and then validated) ----
    ['body_exactly_1_mib', { method: 'POST', path: tasks, headers: JSON_CT, body: bodyOfSize(MiB), raw: true }, VALID, 'description'],
    ['body_1_mib_plus_1', { method: 'POST', path: tasks, headers: JSON_CT, body: bodyOfSize(MiB + 1), raw: true }, ['payload_too_large', 413]],
    ['body_8_mib', { method: 'POST', path: tasks, headers: JSON_CT, body: bodyOfSize(8 * MiB), raw: true }, ['payload_too_large', 413]],
    ['body_2_mib_chunked', { method: 'POST', path: tasks, headers: JSON_CT, body: bodyOfSize(2 * MiB), raw: true, chunked: true },
        ['payload_too_large', 413]],
    ['put_body_1_mib_plus_1', { method: 'PUT', path: task, headers: JSON_CT, body: bodyOfSize(MiB + 1), raw: true }, ['payload_too_large', 413]],

    // ---- content type: 415 ----
    ['text_plain', { method: 'POST', path: tasks, headers: { 'content-type': 'text/plain' }, body: '{"title":"x"}' }, MEDIA],
    ['no_content_type', { method: 'POST', path: tasks, body: '{"title":"x"}' }, MEDIA],
    ['form_urlencoded', { method: 'POST', path: tasks, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'title=x' }, MEDIA],
    ['multipart', { method: 'POST', path: tasks, headers: { 'content-type': 'multipart/form-data; boundary=b' },
        body: '--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--b--\r\n' }, MEDIA],
    ['json_lookalike_type', { method: 'POST', path: tasks, headers: { 'content-type': 'application/jsonx' }, body: '{"title":"x"}' }, MEDIA],
    ['put_text_plain', { method: 'PUT', path: task, headers: { 'content-type': 'text/plain' }, body: '{"title":"x"}' }, MEDIA],
    ['patch_text_plain', { method: 'PATCH', path: task, headers: { 'content-type': 'text/plain' }, body: '{"title":"x"}' }, MEDIA],
    ['complete_text_plain', { method: 'PATCH', path: (c) => `${task(c)}/complete`, headers: { 'content-type': 'text/plain' },
        body: '{"completed":true}' }, MEDIA],
    ['login_text_plain', { method: 'POST', path: () => '/api/auth/login', auth: null, headers: { 'content-type': 'text/plain' },
        body: '{"email":"a@example.com","password":"12345678"}' }, MEDIA],
    ['signup_xml', { method: 'POST', path: () => '/api/auth/signup', auth: null, headers: { 'content-type': 'application/xml' },
        body: '<signup/>' }, MEDIA],

    // ---- missing bodies on requests that need one: 400 ----
    ['put_without_body', { method: 'PUT', path: task, headers: JSON_CT, body: '' }, BAD],
    ['patch_without_body', { method: 'PATCH', path: task, headers: JSON_CT, body: '' }, BAD],
    ['signup_broken_json', { method: 'POST', path: () => '/api/auth/signup', auth: null, headers: JSON_CT, body: '{"email":' }, BAD],
    ['login_broken_json', { method: 'POST', path: () => '/api/auth/login', auth: null, headers: JSON_CT, body: '{"email":' }, BAD],

    // ---- task ids in the path that are not one of the user's tasks: 404 ----
    // ---- paths with as many segments as the router holds, and more, with a trailing slash ----
    ['path_12_segments_trailing_slash', { method: 'GET', path: () => '/api/b/c/d/e/f/g/h/i/j/k/l/' }, NOTFOUND],
    ['path_13_segments_trailing_slash', { method: 'GET', path: () => '/api/b/c/d/e/f/g/h/i/j/k/l/m/' }, NOTFOUND],
    ['path_40_segments_and_slashes', { method: 'GET', path: () => `/api${'/x'.repeat(40)}//////` }, NOTFOUND],
    ['id_zero', { method: 'GET', path: (c) => `${tasks(c)}/0` }, NOTFOUND],
    ['id_negative', { method: 'GET', path: (c) => `${tasks(c)}/-1` }, NOTFOUND],
    ['id_overflowing', { method: 'GET', path: (c) => `${tasks(c)}/99999999999999999999999` }, NOTFOUND],
    ['id_int64_max_plus_1', { method: 'GET', path: (c) => `${tasks(c)}/9223372036854775808` }, NOTFOUND],
    ['id_int64_max', { method: 'GET', path: (c) => `${tasks(c)}/9223372036854775807` }, NOTFOUND],
    ['id_letters', { method: 'GET', path: (c) => `${tasks(c)}/abc` }, NOTFOUND],
    ['id_fraction', { method: 'GET', path: (c) => `${tasks(c)}/1.5` }, NOTFOUND],
    ['id_exponent', { method: 'GET', path: (c) => `${tasks(c)}/1e3` }, NOTFOUND],
    ['id_hex', { method: 'GET', path: (c) => `${tasks(c)}/0x10` }, NOTFOUND],
    ['id_trailing_space', { method: 'GET', path: (c) => `${task(c)}%20` }, NOTFOUND],
    ['id_trailing_letters', { method: 'GET', path: (c) => `${task(c)}abc` }, NOTFOUND],
    ['id_percent_nul', { method: 'GET', path: (c) => `${tasks(c)}/%00` }, NOTFOUND],
    ['id_sql', { method: 'GET', path: (c) => `${task(c)}${encodeURIComponent("' OR '1'='1")}` }, NOTFOUND],
    ['patch_negative_id', { method: 'PATCH', path: (c) => `${tasks(c)}/-1`, json: { title: 'x' } }, NOTFOUND],
    ['put_overflowing_id', { method: 'PUT', path: (c) => `${tasks(c)}/99999999999999999999`, json: { title: 'x' } }, NOTFOUND],
    ['delete_letters_id', { method: 'DELETE', path: (c) => `${tasks(c)}/abc` }, NOTFOUND],
    ['complete_overflowing_id', { method: 'PATCH', path: (c) => `${tasks(c)}/99999999999999999999/complete` }, NOTFOUND],

    // ---- tokens: 401 ----
    ['no_authorization', { method: 'GET', path: tasks, auth: null }, UNAUTH],
    ['bearer_empty', { method: 'GET', path: tasks, auth: 'Bearer ' }, UNAUTH],
    ['bearer_garbage', { method: 'GET', path: tasks, auth: 'Bearer garbage' }, UNAUTH],
    ['bearer_three_garbage_parts', { method: 'GET', path: tasks, auth: 'Bearer a.b.c' }, UNAUTH],
    ['basic_auth', { method: 'GET', path: tasks, auth: 'Basic dXNlcjpwYXNzd29yZA==' }, UNAUTH],
    ['token_without_bearer', { method: 'GET', path: tasks, auth: (c) => c.token }, UNAUTH],
    ['expired_token', { method: 'GET', path: tasks, auth: (c) => `Bearer ${signJwt({ sub: c.uid, exp: now() - 60 }, c.secret)}` }, UNAUTH],
    ['wrong_signature', { method: 'GET', path: tasks, auth: (c) => `Bearer ${signJwt({ sub: c.uid, exp: now() + 600 }, `${c.secret}x`)}` }, UNAUTH],
    ['alg_none', { method: 'GET', path: tasks,
        auth: (c) => `Bearer ${signJwt({ sub: c.uid, exp: now() + 600 }, '', { alg: 'none', typ: 'JWT' })}` }, UNAUTH],
    ['alg_none_with_signature', { method: 'GET', path: tasks, auth: (c) => {
        const good = signJwt({ sub: c.uid, exp: now() + 600 }, c.secret).split('.');
        return `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${good[1]}.${good[2]}`;
    } }, UNAUTH],
    ['token_without_exp', { method: 'GET', path: tasks, auth: (c) => `Bearer ${signJwt({ sub: c.uid }, c.secret)}` }, UNAUTH],
    ['token_exp_string', { method: 'GET', path: tasks, auth: (c) => `Bearer ${signJwt({ sub: c.uid, exp: 'never' }, c.secret)}` }, UNAUTH],
    ['token_without_sub', { method: 'GET', path: tasks, auth: (c) => `Bearer ${signJwt({ exp: now() + 600 }, c.secret)}` }, UNAUTH],
    ['token_truncated_signature', { method: 'GET', path: tasks, auth: (c) => `Bearer ${c.token.slice(0, -4)}` }, UNAUTH],
    ['bad_token_on_write', { method: 'PATCH', path: task, auth: 'Bearer garbage', json: { title: 'x' } }, UNAUTH],
    ['bad_token_on_delete', { method: 'DELETE', path: task, auth: 'Bearer garbage' }, UNAUTH],

    // ---- query values: 400 ----
    ['status_maybe', { method: 'GET', path: (c) => `${tasks(c)}?status=maybe` }, BAD],
    ['sort_colour', { method: 'GET', path: (c) => `${tasks(c)}?sort=colour` }, BAD],
    ['priority_urgent', { method: 'GET', path: (c) => `${tasks(c)}?priority=urgent` }, BAD],
    ['due_someday', { method: 'GET', path: (c) => `${tasks(c)}?due=someday` }, BAD],
    ['limit_zero', { method: 'GET', path: (c) => `${tasks(c)}?limit=0` }, BAD],
    ['limit_201', { method: 'GET', path: (c) => `${tasks(c)}?limit=201` }, BAD],
    ['cursor_garbage', { method: 'GET', path: (c) => `${tasks(c)}?cursor=garbage` }, BAD],
    ['sort_sql', { method: 'GET', path: (c) => `${tasks(c)}?sort=${encodeURIComponent('title; DROP TABLE tasks')}` }, BAD],

    // ---- preconditions: a non-matching If-Match is 412 ----
    ['if_match_not_a_version', { method: 'PATCH', path: task, json: { title: 'x' }, headers: { 'if-match': '"banana"' } },
        ['precondition_failed', 412]],
    ['if_match_version_zero', { method: 'DELETE', path: task, headers: { 'if-match': '"0"' } }, ['precondition_failed', 412]],
    ['if_match_future_version', { method: 'PUT', path: task, json: { title: 'x' }, headers: { 'if-match': '"99"' } },
        ['precondition_failed', 412]],

    // ---- methods: 405 with Allow ----
    ['delete_collection', { method: 'DELETE', path: tasks }, ['method_not_allowed', 405], null, ['GET', 'POST']],
    ['put_collection', { method: 'PUT', path: tasks, json: [] }, ['method_not_allowed', 405], null, ['GET', 'POST']],
    ['post_on_task', { method: 'POST', path: task, json: { title: 'x' } }, ['method_not_allowed', 405], null,
        ['GET', 'PUT', 'PATCH', 'DELETE']],
    ['get_complete', { method: 'GET', path: (c) => `${task(c)}/complete` }, ['method_not_allowed', 405], null, ['PATCH']],
    ['get_login', { method: 'GET', path: () => '/api/auth/login', auth: null }, ['method_not_allowed', 405], null, ['POST']],
    ['delete_me', { method: 'DELETE', path: () => '/api/auth/me' }, ['method_not_allowed', 405], null, ['GET', 'PATCH']],
];

async function send(srv, ctx, req) {
    const headers = { ...(req.headers || {}) };
    const auth = req.auth === undefined ? `Bearer ${ctx.token}` : (typeof req.auth === 'function' ? req.auth(ctx) : req.auth);
    if (auth !== null) headers.authorization = auth;
    const p = req.path(ctx);
    if (req.raw) {
        return rawRequest(srv.url, req.method, p, { headers, body: req.body, chunked: req.chunked });
    }
    return srv.api.req(req.method, p, { headers, json: req.json, body: req.body });
}

describe('bad input table', () => {
    let srv;
    let u;
    let ctx;
    let snapshot;
    before(async () => {
        srv = await startServer();
        u = await newUser(srv.api);
        const t = await u.create({ title: 'Untouchable', description: 'keep me', tags: ['keep'], priority: 'medium',
            due_at: '2030-01-01T00:00:00Z', reminders: [{ before: 'PT5M' }] });
        await u.create({ title: 'Second' });
        ctx = { uid: u.id, tid: t.id, token: u.token, secret: srv.secret };
        snapshot = await u.listAll({ limit: 200 });
    });
    after(async () => { await srv?.stop(); });

    it(`table_has_at_least_40_rows (${TABLE.length})`, () => {
        assert.ok(TABLE.length >= 40);
        assert.equal(new Set(TABLE.map((r) => r[0])).size, TABLE.length, 'row names are unique');
    });

    for (const [name, req, expected, field, allow] of TABLE) {
        const options = Array.isArray(expected[0]) ? expected : [expected];
        const want = options.map(([code, status]) => `${status}_${code}`).join('_or_');
        it(`${name}_gives_${want}`, async () => {
            const res = await send(srv, ctx, req);
            const match = options.find(([, status]) => status === res.status) || options[0];
            assertError(res, match[1], match[0], field ? { field } : {});
            if (allow) {
                const got = (res.headers.get('allow') || '').split(',').map((s) => s.trim().toUpperCase());
                for (const m of allow) assert.ok(got.includes(m), `Allow "${res.headers.get('allow')}" lists ${m}`);
                assert.ok(!got.includes(req.method), `Allow does not list the refused ${req.method}`);
            }
        });
    }

    it('after_the_table_the_server_is_up_and_the_users_tasks_are_unchanged', async () => {
        const h = await srv.api.get('/healthz');
        assert.equal(h.status, 200);
        assert.deepEqual(await u.listAll({ limit: 200 }), snapshot);
        const g = await u.get(`/tasks/${ctx.tid}`);
        assert.deepEqual(g.json, snapshot.find((t) => t.id === ctx.tid));
    });

    describe('sql metacharacters are ordinary text', () => {
        const TITLES = [
            "Robert'); DROP TABLE tasks;--",
            "' OR '1'='1",
            '" OR ""="',
            "'; DELETE FROM users; --",
            '%_\\%\\_ LIKE wildcards',
            '$1 $2 ? :name @p0',
            '\\x27 \\\' backslashes \\\\',
            '); SELECT pg_sleep(5); --',
            "1; UPDATE tasks SET title='x'",
            '` backtick ` [brackets] {braces}',
            '-- just a comment',
            '/* c comment */ ; ;',
            'NULL',
            '<script>alert(1)</script>',
            '${jndi:ldap://x}',
        ];
        let v;
        const made = [];
        before(async () => { v = await newUser(srv.api); });

        for (const [i, title] of TITLES.entries()) {
            it(`title_${i}_${JSON.stringify(title).slice(1, 25)}_is_stored_verbatim`, async () => {
                const t0 = Date.now();
                const r = await v.post('/tasks', { json: { title, description: title, tags: ['sql'] } });
                assert.equal(r.status, 201, r.text);
                assert.ok(Date.now() - t0 < 4000, 'no pg_sleep ran');
                assert.equal(r.json.title, title);
                assert.equal(r.json.description, title);
                const g = await v.get(`/tasks/${r.json.id}`);
                assert.equal(g.json.title, title);
                made.push(r.json);
            });
        }

        it('every_sql_title_is_listed_and_searchable_and_the_tables_still_exist', async () => {
            const all = await v.listAll({ limit: 200 });
            assert.deepEqual(all.map((t) => t.title).sort(), made.map((t) => t.title).sort());
            for (const q of ["'; DROP TABLE tasks; --", "' OR '1'='1", '%', '_', '\\', 'robert', 'sql']) {
                const r = await v.get(`/tasks?q=${encodeURIComponent(q)}`);
                assert.equal(r.status, 200, `q=${q}: ${r.status} ${r.text}`);
                assert.ok(r.json.items.every((t) => made.some((m) => m.id === t.id)), `q=${q} finds only own tasks`);
            }
            const robert = await v.listAll({ q: 'robert' });
            assert.deepEqual(robert.map((t) => t.title), ["Robert'); DROP TABLE tasks;--"]);
            const p = await v.listAll({ tags: 'sql', sort: 'title' });
            assert.equal(p.length, TITLES.length);
            // the other user and the users table are intact
            assert.deepEqual(await u.listAll({ limit: 200 }), snapshot);
            assert.equal((await srv.api.get('/api/auth/me', { token: u.token })).status, 200);
            const login = await srv.api.post('/api/auth/login', { json: { email: v.email, password: v.password } });
            assert.equal(login.status, 200, login.text);
        });
    });
});
