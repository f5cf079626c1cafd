import t from 'tap';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

t.test('defaults: port 3000 on 127.0.0.1, data in ./data, Redis on localhost, SQLite FULL', async (t) => {
  const c = loadConfig({}, '/srv/app');
  t.match(c, { PORT: 3000, HOST: '127.0.0.1', DATA_DIR: './data', LOG_LEVEL: 'info', REDIS_URL: 'redis://127.0.0.1:6379', SQLITE_SYNCHRONOUS: 'FULL', NODE_ENV: 'development' });
  t.equal(c.dataDir, path.resolve('/srv/app', 'data'));
  t.equal(c.EVENTSTORE_URL, undefined);
});

t.test('values are read and coerced; empty strings count as unset', async (t) => {
  const c = loadConfig({ PORT: '8080', DATA_DIR: '/var/lib/consult', LOG_LEVEL: 'debug', SMTP_URL: 'smtp://127.0.0.1:2525', EVENTSTORE_URL: '', AUTH_SECRET: 'x'.repeat(40) });
  t.match(c, { PORT: 8080, dataDir: '/var/lib/consult', LOG_LEVEL: 'debug', SMTP_URL: 'smtp://127.0.0.1:2525' });
  t.equal(c.EVENTSTORE_URL, undefined);
});

t.test('every bad value is named in one clear error, and a secret is never echoed', async (t) => {
  const error = t.throws(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', REDIS_URL: 'http://x', AUTH_SECRET: 'short-secret' })) as ConfigError;
  t.ok(error instanceof ConfigError);
  t.match(error.message, /PORT="eighty"/);
  t.match(error.message, /LOG_LEVEL="loud"/);
  t.match(error.message, /REDIS_URL="http:\/\/x": a URL starting with redis:\/\/ or rediss:\/\//);
  t.match(error.message, /AUTH_SECRET=\(hidden\): at least 32 characters/);
  t.notMatch(error.message, /short-secret/);
  t.equal(error.problems.length, 4);
});

t.test('an EventStoreDB cluster address (several hosts) is accepted; a bad URL is named without its password', async (t) => {
  const cluster = 'esdb://admin:changeit@node1:2113,node2:2113,node3:2113?tls=true';
  t.equal(loadConfig({ EVENTSTORE_URL: cluster }).EVENTSTORE_URL, cluster);
  t.equal(loadConfig({ EVENTSTORE_URL: 'esdb+discover://cluster.internal:2113' }).EVENTSTORE_URL, 'esdb+discover://cluster.internal:2113');
  const error = t.throws(() => loadConfig({ EVENTSTORE_URL: 'http://admin:changeit@node1:2113', REDIS_URL: 'http://user:hunter2@cache:6379' })) as ConfigError;
  t.match(error.message, /EVENTSTORE_URL="http:\/\/node1:2113": a connection string starting with esdb:\/\//);
  t.match(error.message, /REDIS_URL="http:\/\/cache:6379"/);
  t.notMatch(error.message, /changeit|hunter2|admin/);
});

t.test('VERIFY_INTERVAL: a duration (default 24h) in milliseconds, off for never; anything else is named with what it takes', async (t) => {
  t.equal(loadConfig({}).VERIFY_INTERVAL, 24 * 3_600_000, 'every 24 hours by default');
  t.equal(loadConfig({ VERIFY_INTERVAL: '30m' }).VERIFY_INTERVAL, 30 * 60_000);
  t.equal(loadConfig({ VERIFY_INTERVAL: '10s' }).VERIFY_INTERVAL, 10_000);
  t.equal(loadConfig({ VERIFY_INTERVAL: '7d' }).VERIFY_INTERVAL, 7 * 86_400_000);
  t.equal(loadConfig({ VERIFY_INTERVAL: 'off' }).VERIFY_INTERVAL, null, 'off: no background check');
  t.equal(loadConfig({ VERIFY_INTERVAL: '' }).VERIFY_INTERVAL, 24 * 3_600_000, 'empty counts as unset');
  for (const bad of ['daily', '24', '1.5h', '-1h', '0s', '30d', '24 hours']) {
    const error = t.throws(() => loadConfig({ VERIFY_INTERVAL: bad })) as ConfigError;
    t.match(error.message, `VERIFY_INTERVAL=${JSON.stringify(bad)}: a duration such as 8h, 30d or 2w`, `refuses ${bad}`);
  }
});

t.test('TOKEN_MAX_LIFETIME is a duration, read as seconds: 30d by default', async (t) => {
  t.equal(loadConfig({}).TOKEN_MAX_LIFETIME, 30 * 86_400);
  t.equal(loadConfig({ TOKEN_MAX_LIFETIME: '8h' }).TOKEN_MAX_LIFETIME, 8 * 3600);
  t.equal(loadConfig({ TOKEN_MAX_LIFETIME: '2w' }).TOKEN_MAX_LIFETIME, 14 * 86_400);
  for (const bad of ['forever', '0d', '8', '-1h', '11y']) {
    const error = t.throws(() => loadConfig({ TOKEN_MAX_LIFETIME: bad })) as ConfigError;
    t.match(error.message, `TOKEN_MAX_LIFETIME="${bad}"`, bad);
  }
});
