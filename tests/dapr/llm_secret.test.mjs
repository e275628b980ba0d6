// llm_secret.test.mjs - LLM mode's key from the Dapr secret store (docs/assistant-llm.md,
// "Configuration"): `todo api --bus dapr` beside a real daprd that also loads a
// secretstores.local.file component holding the key; the app reads it once at start through
// the sidecar's secrets API and sends it as Bearer to the model, here the black-box tier's
// stand-in for a paid LLM service (tests/blackbox/lib/llm_standin.mjs). The key is in no log
// line; a secret that does not exist stops the start without a key in the error.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import {
    requireEnvironment, newSecret, newAppToken, freshDatabase, dropDatabase, killAll, newUser,
    Sidecar, TodoApp,
} from './lib/dapr.mjs';
import { freePort } from '../blackbox/lib/server.mjs';
import { startLlmStandin } from '../blackbox/lib/llm_standin.mjs';

const PUBSUB = 'todo-pubsub';
const STORE = 'todo-secrets';

/** daprd with the tier's components plus a local file secret store holding llm-key. */
class SecretSidecar extends Sidecar {
    constructor(opts, key) {
        super(opts);
        this.key = key;
    }

    writeResources() {
        super.writeResources();
        const file = path.join(this.dir, 'secrets.json');
        writeFileSync(file, JSON.stringify({ 'llm-key': this.key, 'spaced-key': 'has a space' }), { mode: 0o600 });
        writeFileSync(path.join(this.dir, 'resources', 'secrets.yaml'), `apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: ${STORE}
spec:
  type: secretstores.local.file
  version: v1
  metadata:
  - name: secretsFile
    value: ${file}
`);
    }
}

async function ports(n) {
    const out = new Set();
    while (out.size < n) out.add(await freePort());
    return [...out];
}

describe('LLM mode: the key from the Dapr secret store (real daprd)', () => {
    let secret, databaseUrl, standin, sidecar, app, dataDir, key;
    const appToken = newAppToken();
    /** The app reading secretName; callbackPort: the sidecar's app port (a fresh one else). */
    const newApp = async (secretName, callbackPort) => {
        const [port, other] = await ports(2);
        return new TodoApp('api', {
            port, callbackPort: callbackPort ?? other,
            databaseUrl, secret, dataDir, sidecar, appToken,
            extraEnv: {
                TODO_LLM_BASE_URL: standin.url,
                TODO_LLM_MODEL: 'standin-model',
                TODO_LLM_API_KEY_SECRET: secretName,
                TODO_DAPR_SECRET_STORE: STORE,
                TODO_CHAT_STATE: 'db',
                TODO_LOG_LEVEL: 'debug',
            },
        });
    };

    before(async () => {
        requireEnvironment();
        secret = newSecret();
        key = `sk-dapr-${randomBytes(12).toString('hex')}`;
        databaseUrl = await freshDatabase(secret);
        standin = await startLlmStandin();
        dataDir = mkdtempSync(path.join(os.tmpdir(), 'todo-dapr-llm-'));
        const [appPort] = await ports(1);
        sidecar = await new SecretSidecar({ appId: 'todo-api-llm', appPort, group: 'api-llm', pubsub: PUBSUB,
            appToken }, key).start();
        app = await (await newApp('llm-key', appPort)).start();
    });

    after(async () => {
        if (app?.child?.alive()) await app.child.terminate().catch(() => {});
        if (sidecar?.child?.alive()) await sidecar.child.terminate().catch(() => {});
        await standin?.close();
        if (databaseUrl) await dropDatabase(databaseUrl).catch(() => {});
        if (dataDir) rmSync(dataDir, { recursive: true, force: true });
        killAll();
    });

    it('reads_the_key_through_the_sidecar_and_sends_it_as_bearer_without_logging_it', async () => {
        const u = await newUser(app.client);
        standin.script([
            { tool_calls: [{ id: 'c1', name: 'add_task', arguments: { title: 'From the model' } }] },
            { content: 'Added it.' },
        ]);
        const r = await u.post('/chat', { json: { message: 'add from the model' } });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.response, 'Added it.');
        assert.equal(standin.requests.length, 2);
        for (const req of standin.requests) assert.equal(req.headers.authorization, `Bearer ${key}`);
        assert.ok((await u.listAll()).some((t) => t.title === 'From the model'));
        assert.match(app.tail(200000), /LLM mode: model standin-model/);
        assert.ok(!app.tail(200000).includes(key), 'the key is in no log line');
        assert.ok(!(await app.metrics()).includes(key));
    });

    it('stops_the_start_when_the_secret_is_missing_or_unusable', async () => {
        for (const name of ['no-such-key', 'spaced-key']) {
            const other = await newApp(name);
            await assert.rejects(other.start(), /exited before answering/);
            assert.equal(other.child.exit.code, 1);
            assert.match(other.tail(), new RegExp(`secret ${name}`));
            assert.ok(!other.tail().includes('has a space') && !other.tail().includes(key));
        }
    });
});
