// Inbound mail in `npm start`'s process: with INBOUND_DOMAIN the SMTP listener runs where the
// workers run (ROLE all or workers, not api), refuses what is not for a reply or bounce address,
// and closes on SIGTERM; the webhook is there with INBOUND_WEBHOOK_SECRET only.
// (The listener itself: test/inbound/smtp.test.ts; the webhook: test/inbound/webhook.test.ts.)
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import t from 'tap';
import { testPrefix } from './helpers/mail-system.ts';
import { startServerProcess } from './helpers/server-process.ts';
import { tempDir } from './helpers/temp-store.ts';

t.setTimeout(120_000);
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const env = {
  ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', AUTH_SECRET: 'x'.repeat(40), NODE_ENV: 'development', SMTP_URL: '',
  EVENTSTORE_URL: '', DATABASE_URL: '', ADMIN_PORT: '', INBOUND_DOMAIN: 'in.consult.example', INBOUND_SMTP_PORT: '0', INBOUND_WEBHOOK_SECRET: 's'.repeat(40),
};

t.test('ROLE=all: the SMTP listener and the webhook; SIGTERM closes both', async (t) => {
  const server = startServerProcess(t, process.execPath, ['--import', 'tsx/esm', main], { env: { ...env, DATA_DIR: tempDir(t), QUEUE_PREFIX: testPrefix(t) } });
  const api = await server.address;
  const logged = await server.waitForLog((l) => typeof l.inboundSmtp === 'object');
  const { host, port } = logged.inboundSmtp as { host: string; port: number };
  t.equal(host, '127.0.0.1', 'on HOST unless INBOUND_SMTP_HOST says otherwise');
  const smtp = nodemailer.createTransport({ host, port, secure: false, ignoreTLS: true });
  t.teardown(() => smtp.close());
  await t.rejects(smtp.sendMail({ from: 'a@wpn.example', to: 'postmaster@in.consult.example', text: 'hi' }), { code: 'EENVELOPE', responseCode: 550 });
  const res = await fetch(`${api}/inbound/mime`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: 'To: x@y\r\n\r\nhi' });
  t.equal(res.status, 401, 'the webhook is there, behind its secret');
  server.child.kill('SIGTERM');
  t.equal((await server.exited).code, 0);
});

t.test('ROLE=api: no SMTP listener (the webhook only)', async (t) => {
  const server = startServerProcess(t, process.execPath, ['--import', 'tsx/esm', main], { env: { ...env, ROLE: 'api', DATA_DIR: tempDir(t), QUEUE_PREFIX: testPrefix(t) } });
  const api = await server.address;
  await server.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('listening on'));
  t.notOk(server.logs.some((l) => 'inboundSmtp' in l), 'no listener');
  const res = await fetch(`${api}/inbound/mime`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: 'To: x@y\r\n\r\nhi' });
  t.equal(res.status, 401);
  server.child.kill('SIGTERM');
  t.equal((await server.exited).code, 0);
});
