// zones.mjs - calendar days in a user's time zone, for the tests of the due shortcuts.
import { waitFor } from './server.mjs';

/** Zones without daylight saving, 25 hours apart: at any moment at least one of them is on a
 * different calendar day than UTC, so "today" must be computed in the user's zone.
 * [name, offset in minutes] */
export const FIXED_ZONES = [['Pacific/Kiritimati', 14 * 60], ['Pacific/Pago_Pago', -11 * 60]];

/** "YYYY-MM-DD" of instant ms at a fixed offset (minutes). */
export const localDate = (ms, off) => new Date(ms + off * 60000).toISOString().slice(0, 10);

/** The instant local midnight starts, plusDays after the local day of now. */
export function startOfLocalDay(now, off, plusDays) {
    const [y, m, d] = localDate(now, off).split('-').map(Number);
    return Date.UTC(y, m - 1, d + plusDays) - off * 60000;
}

/** Waits (up to 4 minutes) until local midnight at each offset is over 3 minutes away, so
 * "today" does not change under a test. */
export function awayFromLocalMidnight(...offs) {
    return waitFor(() => offs.every((off) => startOfLocalDay(Date.now(), off, 1) - Date.now() > 3 * 60000),
        { deadlineMs: 4 * 60000, intervalMs: 1000, what: 'local midnight to pass' });
}
