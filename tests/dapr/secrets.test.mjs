// secrets.test.mjs - TODO_DAPR_SECRETS (docs/operations.md, "Secrets from Dapr"; ADR 0049):
// `todo api --bus dapr` beside a real daprd whose secretstores.local.file component (multi-
// valued, so one secret holds several keys, as a Kubernetes Secret does through
// secretstores.kubernetes: the same secrets API) holds the database URL and the JWT secret.
// The app is given neither by variable nor flag: it waits for its sidecar, reads the secret
// once and serves. A secret or key that is missing, or a setting given both ways, stops the
// start with a message naming it, never a value.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
    requireEnvironment, newSecret, newAppToken, freshDatabase, dropDatabase, killAll, newUser,
    Sidecar, TodoApp,
} from './lib/dapr.mjs';
import { freePort } from '../blackbox/lib/server.mjs';

const PUBSUB = 'todo-pubsub';
const STORE = 'kubernetes-standin';

/** daprd with the tier's components plus a multi-valued local file secret store. */
class SecretSidecar extends Sidecar {
    constructor(opts, secrets) {
        super(opts);
        this.secrets = secrets;
    }

    writeResources() {
        super.writeResources();
        const file = path.join(this.dir, 'secrets.json');
        writeFileSync(file, JSON.stringify(this.secrets), { mode: 0o600 });
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
  - name: multiValued
    value: "true"
`);
    }
}

async function ports(n) {
    const out = new Set();
    while (out.size < n) out.add(await freePort());
    return [...out];
}

describe('TODO_DAPR_SECRETS: settings from the Dapr secret store (real daprd)', () => {
    let jwtSecret, databaseUrl, sidecar, app, dataDir, smtpPassword;
    const appToken = newAppToken();
    /** `todo api` reading secretName; database/secret: also given the usual way (null: not). */
    const newApp = async (secretName, { callbackPort, database = null, secret = null, env = {} } = {}) => {
        const [port, other] = await ports(2);
        return new TodoApp('api', {
            port, callbackPort: callbackPort ?? other,
            databaseUrl: database, secret, dataDir, sidecar, appToken,
            extraEnv: { TODO_DAPR_SECRETS: secretName, TODO_DAPR_SECRET_STORE: STORE, ...env },
        });
    };
    const values = () => [databaseUrl, jwtSecret, smtpPassword, new URL(databaseUrl).pathname.slice(1)];

    before(async () => {
        requireEnvironment();
        jwtSecret = newSecret();
        smtpPassword = `smtp-${randomBytes(12).toString('hex')}`;
        databaseUrl = await freshDatabase(jwtSecret);
        dataDir = mkdtempSync(path.join(os.tmpdir(), 'todo-dapr-secrets-'));
        const [appPort] = await ports(1);
        sidecar = await new SecretSidecar({ appId: 'todo-api-secrets', appPort, group: 'api-secrets',
            pubsub: PUBSUB, appToken }, {
            'todo-secrets': { 'database-url': databaseUrl, 'jwt-secret': jwtSecret,
                'smtp-password': smtpPassword, 'app-api-token': 'not-read-by-the-app' },
            'jwt-only': { 'jwt-secret': jwtSecret },
            'short-jwt': { 'database-url': databaseUrl, 'jwt-secret': 'too-short' },
        }).start();
        app = await (await newApp('todo-secrets', { callbackPort: appPort })).start();
    });

    after(async () => {
        if (app?.child?.alive()) await app.child.terminate().catch(() => {});
        if (sidecar?.child?.alive()) await sidecar.child.terminate().catch(() => {});
        if (databaseUrl) await dropDatabase(databaseUrl).catch(() => {});
        if (dataDir) rmSync(dataDir, { recursive: true, force: true });
        killAll();
    });

    it('serves_with_the_database_url_and_jwt_secret_only_from_the_store', async () => {
        const u = await newUser(app.client);
        await u.create({ title: 'Secrets came from Dapr' });
        assert.deepEqual((await u.listAll()).map((t) => t.title), ['Secrets came from Dapr']);
        // the token is signed with the store's secret, and the task is in the store's database
        const [head, payload, sig] = u.token.split('.');
        assert.equal(createHmac('sha256', jwtSecret).update(`${head}.${payload}`).digest('base64url'), sig);
        assert.ok(!existsSync(path.join(dataDir, 'jwt.secret')), 'no local signing secret was made');
        assert.ok(!existsSync(path.join(dataDir, 'todo.db')), 'no local database was made');
        assert.match(app.tail(200000), /read the Dapr secret todo-secrets of store kubernetes-standin: database-url, jwt-secret/);
        const text = app.tail(200000) + (await app.metrics());
        for (const v of values()) assert.ok(!text.includes(v), 'no secret value in a log line or /metrics');
    });

    it('stops_the_start_naming_a_missing_secret_or_key_never_a_value', async () => {
        const cases = [
            { name: 'no-such-secret', code: 1, says: /secret no-such-secret of store kubernetes-standin could not be read/ },
            { name: 'jwt-only', code: 1, says: /jwt-only has no database-url/ },
            { name: 'short-jwt', code: 1, says: /key jwt-secret of the Dapr secret short-jwt is unusable/ },
        ];
        for (const c of cases) {
            const other = await newApp(c.name);
            await assert.rejects(other.start(), /exited before answering/);
            assert.equal(other.child.exit.code, c.code, other.tail());
            assert.match(other.tail(), c.says);
            for (const v of [...values(), 'too-short']) assert.ok(!other.tail().includes(v), `no value in: ${other.tail()}`);
        }
    });

    it('refuses_a_setting_given_both_by_the_store_and_a_variable_or_flag', async () => {
        const cases = [
            { opts: { database: databaseUrl }, says: /database-url is in the Dapr secret todo-secrets and also given by TODO_DATABASE_URL or --database/ },
            { opts: { secret: newSecret() }, says: /jwt-secret is in the Dapr secret todo-secrets and also given by TODO_JWT_SECRET/ },
            { opts: { env: { TODO_SMTP_PASSWORD: 'set-here-too' } }, says: /smtp-password is in the Dapr secret todo-secrets and also given by TODO_SMTP_PASSWORD/ },
        ];
        for (const c of cases) {
            const other = await newApp('todo-secrets', c.opts);
            await assert.rejects(other.start(), /exited before answering/);
            assert.equal(other.child.exit.code, 2, other.tail());
            assert.match(other.tail(), c.says);
            for (const v of [...values(), 'set-here-too']) assert.ok(!other.tail().includes(v), `no value in: ${other.tail()}`);
        }
    });
});
