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

t.test('e-mail settings: MAIL_FROM as a name and an address, REMINDER_OFFSETS as milliseconds longest first (7d,2d,1d by default)', async (t) => {
  const c = loadConfig({});
  t.strictSame(c.MAIL_FROM, { name: 'WPS consultation', address: 'consultation@localhost' });
  t.strictSame(c.REMINDER_OFFSETS, [7 * 86_400_000, 2 * 86_400_000, 86_400_000]);
  t.equal(c.SMTP_URL, undefined, 'no SMTP server by default: the file outbox');
  t.strictSame(loadConfig({ MAIL_FROM: 'consult@gov.example' }).MAIL_FROM, { name: '', address: 'consult@gov.example' });
  t.strictSame(loadConfig({ MAIL_FROM: '"Gender Office, MoD" <consult@gov.example>' }).MAIL_FROM, { name: 'Gender Office, MoD', address: 'consult@gov.example' });
  t.strictSame(loadConfig({ REMINDER_OFFSETS: '10s,30s' }).REMINDER_OFFSETS, [30_000, 10_000], 'sorted, longest first');
  t.strictSame(loadConfig({ REMINDER_OFFSETS: '20s' }).REMINDER_OFFSETS, [20_000]);
  t.strictSame(loadConfig({ REMINDER_OFFSETS: '1d, 24h' }).REMINDER_OFFSETS, [86_400_000], 'the same offset once');
  t.equal(loadConfig({ INBOUND_DOMAIN: 'reply.consult.example.org' }).INBOUND_DOMAIN, 'reply.consult.example.org');
  for (const [name, bad] of [['MAIL_FROM', 'nobody'], ['MAIL_FROM', 'A <a@b.example'], ['REMINDER_OFFSETS', '7d,,1d'], ['REMINDER_OFFSETS', 'weekly'], ['REMINDER_OFFSETS', '2y'], ['INBOUND_DOMAIN', 'reply@example.org'], ['SMTP_URL', 'http://mail.example']] as const) {
    const error = t.throws(() => loadConfig({ [name]: bad })) as ConfigError;
    t.match(error.message, `${name}=${JSON.stringify(bad)}`, `${name} refuses ${bad}`);
  }
});

t.test('inbound mail: port 2525 by default or off, sizes in bytes, KB or MB, the webhook secret never echoed', async (t) => {
  const c = loadConfig({});
  t.equal(c.INBOUND_SMTP_PORT, 2525);
  t.equal(c.INBOUND_MAX_BYTES, 25 * 1024 * 1024);
  t.equal(c.INBOUND_MAX_ATTACHMENT_BYTES, 10 * 1024 * 1024);
  t.equal(c.INBOUND_WEBHOOK_SECRET, undefined);
  t.equal(c.INBOUND_AUTHSERV_ID, undefined);
  t.equal(loadConfig({ INBOUND_SMTP_PORT: 'off' }).INBOUND_SMTP_PORT, null);
  t.equal(loadConfig({ INBOUND_SMTP_PORT: '0' }).INBOUND_SMTP_PORT, 0);
  t.equal(loadConfig({ INBOUND_MAX_BYTES: '512KB' }).INBOUND_MAX_BYTES, 512 * 1024);
  t.equal(loadConfig({ INBOUND_MAX_BYTES: '1000' }).INBOUND_MAX_BYTES, 1000);
  t.equal(loadConfig({ INBOUND_AUTHSERV_ID: 'mx.consult.example.org' }).INBOUND_AUTHSERV_ID, 'mx.consult.example.org');
  for (const [name, bad] of [['INBOUND_SMTP_PORT', '70000'], ['INBOUND_MAX_BYTES', '25 GB'], ['INBOUND_AUTHSERV_ID', 'mx example']] as const) {
    const error = t.throws(() => loadConfig({ [name]: bad })) as ConfigError;
    t.match(error.message, `${name}=${JSON.stringify(bad)}`, `${name} refuses ${bad}`);
  }
  const secret = t.throws(() => loadConfig({ INBOUND_WEBHOOK_SECRET: 'short-secret' })) as ConfigError;
  t.match(secret.message, 'INBOUND_WEBHOOK_SECRET=(hidden)');
  t.notMatch(secret.message, 'short-secret');
});

t.test('production refuses to send mail nowhere: without SMTP_URL it fails, elsewhere the outbox is DATA_DIR/outbox', async (t) => {
  const { resolveMailTransport, describeMailTransport } = await import('../../src/mail/transport.ts');
  t.throws(() => resolveMailTransport(loadConfig({ NODE_ENV: 'production' }, '/srv/app')), /SMTP_URL is required when NODE_ENV=production/);
  t.strictSame(resolveMailTransport(loadConfig({}, '/srv/app')), { kind: 'file', dir: path.join('/srv/app', 'data', 'outbox') });
  const smtp = resolveMailTransport(loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtps://user:hunter2@mail.example.org:465' }));
  t.strictSame(smtp, { kind: 'smtp', url: 'smtps://user:hunter2@mail.example.org:465', pool: { maxConnections: 4, maxMessages: 100 } }, 'pooled: 4 connections, 100 messages each by default');
  t.strictSame(describeMailTransport(smtp), { mail: 'smtp', smtp: 'smtps://mail.example.org:465', pool: '4 connections, 100 messages each' }, 'logged without the password');
  t.match(resolveMailTransport(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:1025', SMTP_POOL_SIZE: '1', SMTP_POOL_MAX_MESSAGES: '20' })), { pool: { maxConnections: 1, maxMessages: 20 } });
  for (const [name, bad] of [['SMTP_POOL_SIZE', '0'], ['SMTP_POOL_SIZE', 'many'], ['SMTP_POOL_SIZE', '2.5'], ['SMTP_POOL_MAX_MESSAGES', '0']] as const) {
    const error = t.throws(() => loadConfig({ [name]: bad })) as ConfigError;
    t.match(error.message, `${name}=${JSON.stringify(bad)}`, `${name} refuses ${bad}`);
  }
});

t.test('the admin listener: off by default; a port on 127.0.0.1 unless ADMIN_HOST says otherwise; the password never echoed', async (t) => {
  const { resolveAdminListener } = await import('../../src/http/admin.ts');
  const c = loadConfig({});
  t.equal(c.ADMIN_PORT, null, 'off by default');
  t.equal(resolveAdminListener(c), null, 'no listener');
  t.equal(loadConfig({ ADMIN_PORT: 'off' }).ADMIN_PORT, null);
  t.strictSame(resolveAdminListener(loadConfig({ ADMIN_PORT: '3001' })), { port: 3001, host: '127.0.0.1', password: null }, 'loopback, no auth outside production');
  t.strictSame(resolveAdminListener(loadConfig({ ADMIN_PORT: '0', ADMIN_HOST: '0.0.0.0', ADMIN_PASSWORD: 'p'.repeat(16) })), { port: 0, host: '0.0.0.0', password: 'p'.repeat(16) });
  for (const bad of ['on', '-1', '65536', '30 01', '3001.5']) {
    const error = t.throws(() => loadConfig({ ADMIN_PORT: bad })) as ConfigError;
    t.match(error.message, `ADMIN_PORT=${JSON.stringify(bad)}: a port number (0 to 65535; 0 picks a free one), or off`, `refuses ${bad}`);
  }
  const short = t.throws(() => loadConfig({ ADMIN_PASSWORD: 'letmein' })) as ConfigError;
  t.match(short.message, /ADMIN_PASSWORD=\(hidden\): at least 12 characters/);
  t.notMatch(short.message, /letmein/);
});

t.test('production refuses an admin listener without ADMIN_PASSWORD; with one, or with ADMIN_PORT off, it starts', async (t) => {
  const { resolveAdminListener } = await import('../../src/http/admin.ts');
  t.throws(() => resolveAdminListener(loadConfig({ NODE_ENV: 'production', ADMIN_PORT: '3001' })), /ADMIN_PASSWORD is required with ADMIN_PORT when NODE_ENV=production/);
  t.equal(resolveAdminListener(loadConfig({ NODE_ENV: 'production' })), null, 'no admin port: nothing to guard');
  t.strictSame(resolveAdminListener(loadConfig({ NODE_ENV: 'production', ADMIN_PORT: '3001', ADMIN_PASSWORD: 'a-long-admin-password' })), { port: 3001, host: '127.0.0.1', password: 'a-long-admin-password' });
});
