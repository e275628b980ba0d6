// daprd_modes.test.mjs - how Todo's daprd (tools/daprd) takes --mode and the flags around it
// (docs/decisions/0046-dapr-on-kubernetes.md): standalone, the tiers' mode, still refuses what
// it leaves out; kubernetes, the injected sidecar's mode, takes every injector flag; an unknown
// mode or two sources of trust anchors stop it at once with a message naming the problem.
// The Kubernetes mode at work (Sentry certificate, mTLS, the operator, invocation by app id)
// is proved on a real cluster by `scripts/k8s/dapr.sh check` (docs/deploy/dapr.md).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DAPRD_BIN } from './lib/dapr.mjs';

const DEADLINE_MS = 30000;

/** Runs daprd to its exit (each case exits before serving anything); returns status and output. */
function daprd(args, env = {}) {
    const home = mkdtempSync(path.join(os.tmpdir(), 'daprd-modes-'));
    try {
        const r = spawnSync(DAPRD_BIN, args, {
            env: { PATH: process.env.PATH, HOME: home, ...env },
            encoding: 'utf8',
            timeout: DEADLINE_MS,
        });
        assert.equal(r.error, undefined, `daprd ${args.join(' ')}: ${r.error}`);
        return { status: r.status, out: `${r.stdout}${r.stderr}` };
    } finally {
        rmSync(home, { recursive: true, force: true });
    }
}

describe('daprd modes', () => {
    it('prints its build info: version 1.16.5', () => {
        const r = daprd(['--build-info']);
        assert.equal(r.status, 0, r.out);
        assert.match(r.out, /^Version: 1\.16\.5$/m);
        assert.match(r.out, /^Git Version: v1\.16\.5$/m);
    });

    it('refuses an unknown mode, naming it', () => {
        const r = daprd(['--mode', 'swarm', '--app-id', 'x']);
        assert.notEqual(r.status, 0);
        assert.match(r.out, /unknown --mode \\?"swarm\\?" \(standalone or kubernetes\)/);
    });

    it('still refuses mTLS, Sentry and the operator in standalone mode', () => {
        const r = daprd(['--app-id', 'x', '--enable-mtls', '--sentry-address', '127.0.0.1:1',
            '--control-plane-address', '127.0.0.1:2']);
        assert.notEqual(r.status, 0);
        assert.match(r.out, /not supported by this daprd in standalone mode/);
        for (const flag of ['--enable-mtls', '--sentry-address', '--control-plane-address']) {
            assert.ok(r.out.includes(flag), `${flag} not named: ${r.out}`);
        }
    });

    it('takes the injector flags in kubernetes mode but not two sources of trust anchors', () => {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'daprd-anchors-'));
        try {
            const file = path.join(dir, 'ca.crt');
            writeFileSync(file, 'not read: the conflict is found first\n');
            // The flags an injected sidecar gets (pkg/injector/patcher at 1.16.5), none refused.
            const r = daprd(['--mode', 'kubernetes', '--app-id', 'x', '--enable-mtls',
                '--sentry-address', 'dapr-sentry.dapr-system.svc.cluster.local:443',
                '--control-plane-address', 'dapr-api.dapr-system.svc.cluster.local:443',
                '--placement-host-address', 'dapr-placement-server.dapr-system.svc.cluster.local:50005',
                '--dapr-listen-addresses', '[::1],127.0.0.1', '--dapr-public-port', '3501',
                '--enable-metrics', '--metrics-port', '9090', '--app-protocol', 'http',
                '--dapr-graceful-shutdown-seconds', '5', '--disable-builtin-k8s-secret-store'],
            { DAPR_TRUST_ANCHORS: 'pem', DAPR_TRUST_ANCHORS_FILE: file, NAMESPACE: 'todo' });
            assert.notEqual(r.status, 0);
            assert.doesNotMatch(r.out, /not supported/);
            assert.match(r.out, /set only one of DAPR_TRUST_ANCHORS and DAPR_TRUST_ANCHORS_FILE/);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
