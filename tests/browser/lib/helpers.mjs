// helpers.mjs - small things the browser test files share: wall-clock times in a user's zone
// (to seed due dates and to compute what the UI should send), locators for a task's row and
// the toasts, and polling the API until it agrees.
import assert from 'node:assert/strict';
import { waitFor } from './browser.mjs';

const pad = (n) => String(n).padStart(2, '0');

/** {year, month, day, hour, minute, second, weekday (0 = Sunday)} of instant ms in tz. */
export function zoned(ms, tz) {
    const f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short',
    });
    const o = {};
    for (const p of f.formatToParts(new Date(ms))) o[p.type] = p.value;
    return {
        year: +o.year, month: +o.month, day: +o.day, hour: +o.hour % 24, minute: +o.minute, second: +o.second,
        weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(o.weekday),
    };
}

function offset(ms, tz) {
    const z = zoned(ms, tz);
    return Date.UTC(z.year, z.month - 1, z.day, z.hour, z.minute, z.second) - Math.floor(ms / 1000) * 1000;
}

/** The UTC instant (ms) of a wall-clock time in tz (not for times inside a DST gap). */
export function wallToMs(tz, year, month, day, hour = 0, minute = 0) {
    const guess = Date.UTC(year, month - 1, day, hour, minute);
    let ms = guess - offset(guess, tz);
    ms = guess - offset(ms, tz);
    return ms;
}

/** An instant as the API writes it: "2026-12-01T08:00:00Z". */
export const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The local date n days from today in tz: {year, month, day, text: "YYYY-MM-DD"}. */
export function localDay(tz, n = 0, now = Date.now()) {
    const z = zoned(now, tz);
    const d = new Date(Date.UTC(z.year, z.month - 1, z.day + n));
    const out = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    return { ...out, text: `${out.year}-${pad(out.month)}-${pad(out.day)}` };
}

/** The instant of hour:minute on the local day n days from today in tz. */
export function localAt(tz, n, hour, minute = 0) {
    const d = localDay(tz, n);
    return wallToMs(tz, d.year, d.month, d.day, hour, minute);
}

// Zones a few hours apart, so that one of them is always in the middle of its day.
const SPREAD = ['Pacific/Honolulu', 'America/New_York', 'Europe/London', 'Asia/Kolkata', 'Asia/Tokyo',
    'Pacific/Auckland'];

/** A time zone where it is now between 09:00 and 15:00, so "today + 1 h" and "today - 1 h"
 * are still today: tests about today / tomorrow / overdue never straddle a midnight. */
export function middayZone(now = Date.now()) {
    const tz = SPREAD.find((z) => { const h = zoned(now, z).hour; return h >= 9 && h < 15; });
    assert.ok(tz, 'some zone is at midday');
    return tz;
}

/** The row of the task titled title (its title button is named "Edit “title”"). */
export function row(page, title, { done } = {}) {
    let sel = '.task-row';
    if (done === true) sel += '.done';
    if (done === false) sel += ':not(.done)';
    return page.locator(sel).filter({ has: page.getByRole('button', { name: `Edit “${title}”`, exact: true }) });
}

/** The toast whose text contains text. */
export function toast(page, text) {
    return page.locator('.toasts .toast').filter({ hasText: text });
}

/** Polls the page's row titles until they equal want (in order). */
export async function waitForRows(page, want, what = 'rows') {
    let last;
    try {
        await waitFor(async () => {
            last = await page.locator('.task-row .title-btn').allInnerTexts();
            const busy = await page.locator('.task-list[aria-busy="true"]').count();
            return !busy && JSON.stringify(last) === JSON.stringify(want);
        }, { deadlineMs: 10000, what });
    } catch (e) {
        assert.deepEqual(last, want, `${what}: ${e.message}`);
    }
}

/** Polls fn (async) until it returns a value that deepEquals want; asserts with the last one. */
export async function waitForValue(fn, want, what = 'value', deadlineMs = 10000) {
    let last;
    try {
        await waitFor(async () => {
            last = await fn();
            return JSON.stringify(last) === JSON.stringify(want);
        }, { deadlineMs, what });
    } catch (e) {
        assert.deepEqual(last, want, `${what}: ${e.message}`);
    }
}

/** One task over the API (asserting 200). */
export async function getTask(user, id) {
    const r = await user.get(`/tasks/${id}`);
    assert.equal(r.status, 200, `GET task ${id}: ${r.status} ${r.text}`);
    return r.json;
}

/** The user's task with this title (pending or completed), from the API. */
export async function findTask(user, title) {
    const all = await user.listAll({ status: 'all' });
    return all.find((t) => t.title === title);
}

/** Clicks somewhere neutral so that keyboard shortcuts are not typed into a field. */
export async function blur(page) {
    await page.evaluate(() => { if (document.activeElement instanceof HTMLElement) document.activeElement.blur(); });
}

/** The draft kept under name (lib/drafts.ts: per user, in sessionStorage), or null. */
export function draftText(page, name) {
    return page.evaluate((n) => {
        for (let i = 0; i < sessionStorage.length; i++) {
            const k = sessionStorage.key(i);
            if (k.startsWith('todo.draft.') && k.endsWith('.' + n)) return sessionStorage.getItem(k);
        }
        return null;
    }, name);
}
