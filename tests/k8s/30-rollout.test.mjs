// 30-rollout.test.mjs - `helm upgrade` to a new image tag while clients keep writing (issue 13
// §3): the same image under the tag `dev2` (scripts/test-k8s.sh tags it in the node's
// containerd), so every role's Deployment rolls. Each write must be acknowledged (2xx) or
// cleanly refused: connection refused or 503 are retried, since then nothing was done. Any
// other answer fails the test: a 4xx, a 5xx, a connection broken after the request was sent.
// The front door's 502/504 ("the api could not be reached") is one of those: a client cannot
// tell whether the create was done (no idempotency key) so cannot retry it; each title is
// unique, and the failure message says how many of them were done all the same. Afterwards
// every acknowledged write exists and every pod runs the new tag.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
    NS, Api, CHART, RELEASE, baseUrl, deploymentsSettled, helm, kubectlJson, newUser, request, waitFor,
} from './lib/k8s.mjs';

const NEW_TAG = process.env.TODO_K8S_NEW_TAG || 'dev2';
const TAG_VALUE = process.env.TODO_K8S_TAG_VALUE || 'image.tag'; // the chart's value for the image tag
const WRITERS = 4;

const sleepMs = (ms) => new Promise((r) => { setTimeout(r, ms); });

describe('helm upgrade to a new image tag rolls without failed requests', () => {
    let base;
    let user;

    before(async () => {
        base = await baseUrl();
        await deploymentsSettled();
        // after the previous file's kills the front door may refuse (502) until its sidecar's
        // circuit breaker for the api closes again: the rollout starts from a serving system
        user = await waitFor(async () => {
            try { return await newUser(new Api(base)); } catch { return false; }
        }, { deadlineMs: 90000, intervalMs: 1000, what: 'a sign-up through the front door' });
    });

    it('every write during the rollout is acknowledged or cleanly refused, and none is lost', async () => {
        const before = await kubectlJson(['-n', NS, 'get', 'pods']);
        const oldPods = new Set(before.items.map((p) => p.metadata.name));
        const acked = [];
        const refused = {};
        const failed = [];
        const gateway = []; // {title, why}: 502/504 answers, checked afterwards
        let stop = false;
        let n = 0;
        const writer = async () => {
            while (!stop) {
                const i = n++;
                const giveUp = Date.now() + 120000; // a write refused for two minutes fails
                for (let backoff = 50; ; backoff = Math.min(backoff * 2, 1000)) {
                    const title = `rollout ${i}`;
                    const r = await request(base, 'POST', `${user.base}/tasks`, { token: user.token, json: { title } });
                    if (r.status === 201) { acked.push(r.json.id); break; }
                    const why = r.error || String(r.status);
                    if ((r.error === 'ECONNREFUSED' || r.status === 503) && Date.now() < giveUp) {
                        refused[why] = (refused[why] || 0) + 1;
                        if (stop) break; // the test is over: a write never acknowledged is not counted
                        await sleepMs(backoff);
                        continue;
                    }
                    if (r.status === 502 || r.status === 504) gateway.push({ title, why: `${why} ${r.text}`.slice(0, 200) });
                    else failed.push(`write ${i}: ${why} ${r.text ?? ''}`.slice(0, 300));
                    break;
                }
            }
        };
        const writers = Array.from({ length: WRITERS }, writer);
        // some writes before the upgrade starts
        await waitFor(() => acked.length >= 20 || failed.length > 0 || gateway.length > 0,
            { deadlineMs: 60000, intervalMs: 50, what: '20 writes before the upgrade' });
        const started = Date.now();
        let upgradeError;
        try {
            await helm(['upgrade', RELEASE, CHART, '-n', NS, '--reuse-values', '--set', `${TAG_VALUE}=${NEW_TAG}`,
                '--wait', '--timeout', '6m']);
            await deploymentsSettled();
        } catch (e) {
            upgradeError = e;
        }
        const during = acked.length;
        stop = true;
        await Promise.all(writers);
        console.log(`rollout: ${Math.round((Date.now() - started) / 1000)}s, ${acked.length} writes acknowledged ` +
            `(${during} by its end), cleanly refused and retried: ${JSON.stringify(refused)}, ` +
            `502/504 of the front door (not retried): ${gateway.length}, failed: ${failed.length}`);
        if (upgradeError) throw upgradeError;
        assert.deepEqual(failed, [], 'no write failed during the rollout');
        if (gateway.length) {
            const titles = new Set((await user.listAll()).map((t) => t.title));
            const done = gateway.filter((g) => titles.has(g.title)).length;
            assert.fail(`${gateway.length} writes during the rollout were answered 502/504 by the front door ` +
                `(${done} of them done all the same), e.g. ${gateway[0].why}`);
        }

        const after = await kubectlJson(['-n', NS, 'get', 'pods']);
        const todoPods = after.items.filter((p) => !p.metadata.deletionTimestamp && p.status.phase === 'Running' &&
            p.spec.containers.some((c) => c.image.startsWith('localhost/todo:')));
        assert.ok(todoPods.length >= 3, `the roles' pods: ${todoPods.map((p) => p.metadata.name)}`);
        for (const p of todoPods) {
            assert.ok(!oldPods.has(p.metadata.name), `${p.metadata.name} was replaced`);
            for (const c of p.spec.containers.filter((x) => x.image.startsWith('localhost/todo:'))) {
                assert.equal(c.image, `localhost/todo:${NEW_TAG}`, `${p.metadata.name}/${c.name}`);
            }
        }
        const have = new Set((await user.listAll()).map((t) => t.id));
        assert.deepEqual(acked.filter((id) => !have.has(id)), [], 'every acknowledged write exists');
    });
});
