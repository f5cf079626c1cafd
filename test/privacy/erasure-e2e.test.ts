// Erasure end to end, as users run it: src/main.ts as a real process on a data directory of its
// own, real Redis (a prefix of its own), a real SMTP server. A coordinator invites an organisation
// whose contact has a distinctive name and address; the invitation reaches the SMTP server; the
// organisation comments; a ministry's endorsement is signed in the same person's name. After
// POST /privacy/erasures, neither the name nor the address is in any view, CSV, event page or
// export, nor in the event store's file (it never held them in clear), nor in the view store's
// file, nor anywhere in the server's log of the whole run; the organisation and its comment stay,
// [erased] shows, `consult verify` exits 0, a restart still shows [erased], and a resend of the
// invitation delivers nothing to her (while her colleague gets it).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { issueToken } from '../../src/auth/tokens.ts';
import { MAIL_QUEUE } from '../../src/workers/jobs.ts';
import { AUTH_SECRET, DRAFT_BODY, OPEN_BODY } from '../helpers/http.ts';
import { REDIS_URL, testPrefix, until } from '../helpers/mail-system.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { tempDir } from '../helpers/temp-store.ts';

t.setTimeout(240_000);
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/consult.js', import.meta.url));

const IOANA = { name: 'Ioana Zamfirescu-Vlad', email: 'ioana.zamfirescu@wipn-erasure.example' };
const MARIA = { name: 'Maria Pop', email: 'maria.pop@wipn-erasure.example' };
/** her name (either part) or her address (which holds both), in any case */
const hers = (text: string) => /ioana|zamfirescu/i.test(text);

function start(t: Test, env: Record<string, string>): ServerProcess {
  return startServerProcess(t, process.execPath, ['--import', 'tsx/esm', main], {
    env: {
      ...process.env, PORT: '0', HOST: '127.0.0.1', AUTH_SECRET, LOG_LEVEL: 'info', NODE_ENV: 'development', EVENTSTORE_URL: '', DATABASE_URL: '',
      PUBLIC_URL: 'https://consult.example.org', MAIL_FROM: 'Gender Office <consult@gov.example>', REDIS_URL, INBOUND_DOMAIN: '', ...env,
    },
  });
}

/** Everything the process wrote: its JSON log lines and its terminal output. */
const wholeLog = (s: ServerProcess) => `${s.logs.map((l) => JSON.stringify(l)).join('\n')}\n${s.stderr()}`;

/** The bytes of a file and of its WAL, as text (latin1: every byte kept). */
function fileText(file: string): string {
  return [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1')).join('\n');
}

t.test('erasure end to end: invite, mail, comment, endorse, erase; then nothing names her, the chain verifies', async (t) => {
  const sink = await startSmtpSink(t);
  const dataDir = tempDir(t);
  const prefix = testPrefix(t);
  const env = { DATA_DIR: dataDir, SMTP_URL: sink.url, QUEUE_PREFIX: prefix };
  let server = start(t, env);
  let address = await server.address;
  const coordinator = await issueToken(AUTH_SECRET, { role: 'coordinator', subject: 'Gender Office coordinator' });
  const auditor = await issueToken(AUTH_SECRET, { role: 'auditor', subject: 'Court of Audit' });
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const queue = new Queue(MAIL_QUEUE, { connection, prefix });
  t.teardown(async () => { await queue.close(); await connection.quit(); });
  await until('ready', async () => (await fetch(`${address}/readyz`)).status === 200, 30_000);

  const call = async (url: string, options: { body?: unknown; token?: string; accept?: string; key?: string } = {}) => {
    for (let i = 0; ; i++) {
      const res = await fetch(`${address}${url}`, {
        method: options.body === undefined ? 'GET' : 'POST',
        headers: {
          authorization: `Bearer ${options.token ?? coordinator}`,
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(options.accept ? { accept: options.accept } : {}),
          ...(options.key ? { 'idempotency-key': options.key } : {}),
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      const text = await res.text();
      if (res.status === 503 && i < 100) { // VIEWS_REBUILDING right after a start
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
    }
  };
  const ok = async (url: string, body?: unknown, key?: string) => {
    const res = await call(url, { ...(body !== undefined ? { body } : {}), ...(key ? { key } : {}) });
    if (res.status >= 300) throw new Error(`${url}: ${res.status} ${res.text}`);
    return res;
  };

  // the story
  const id = (await ok('/consultations', OPEN_BODY)).json()['id'] as string;
  await ok(`/consultations/${id}/drafts`, DRAFT_BODY);
  const cso = (await ok(`/consultations/${id}/stakeholders`, { organisation: 'Women in Peace Network', kind: 'civil-society', contacts: [IOANA, MARIA], language: 'en', endorser: false })).json()['stakeholderId'] as string;
  const ministry = (await ok(`/consultations/${id}/stakeholders`, { organisation: 'Ministry of Justice', kind: 'ministry', contact: { name: 'Desk officer', email: 'desk@justice.example' }, language: 'en', endorser: true })).json()['stakeholderId'] as string;
  const toHer = () => sink.received.filter((r) => r.rcptTo.some((a) => a.toLowerCase() === IOANA.email)).length;
  const toMaria = () => sink.received.filter((r) => r.rcptTo.some((a) => a.toLowerCase() === MARIA.email)).length;
  await until('her invitation at the SMTP server', () => toHer() === 1 && toMaria() === 1, 60_000);
  t.match(sink.received.find((r) => r.rcptTo.includes(IOANA.email))!.raw.toString(), /Zamfirescu/, 'the invitation was addressed to her by name');
  const comment = (await ok(`/consultations/${id}/comments`, { stakeholderId: cso, draftVersion: 1, sectionKey: 's1', text: 'Name a target for 2031.', channel: 'api' })).json();
  await ok(`/consultations/${id}/endorsement-requests`, { draftVersion: 1, deadline: '2099-07-30T17:00:00Z' });
  await ok(`/consultations/${id}/endorsements`, { stakeholderId: ministry, draftVersion: 1, decision: 'endorse', signatory: { name: IOANA.name, title: 'Secretary of State' } });
  await until('the views show her', async () => hers((await call(`/consultations/${id}/stakeholders`)).text) && hers((await call(`/consultations/${id}/sign-off`)).text), 30_000);
  const contactId = ((await ok(`/consultations/${id}/stakeholders/${cso}`)).json()['contacts'] as { contactId: string; name: string }[]).find((c) => c.name === IOANA.name)!.contactId;
  t.notOk(hers(fileText(path.join(dataDir, 'events.sqlite'))), 'the event store\'s file never holds her in clear (sealed before it is written)');

  // settled: the relay has planned every event (a job for her, once erased, is not planned: not due),
  // and no mail job is waiting or running in Redis (the reminders before the 2099 deadline wait as
  // delayed jobs: those are checked again when they run)
  const settled = async () => {
    let seen = '';
    await until('the relay caught up and no mail job waiting or running', async () => {
      const h = await (await fetch(`${address}/healthz`)).json() as { mail: { relay: { state: string; behind: number | null } | null } | null };
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
      seen = JSON.stringify({ relay: h.mail?.relay, counts });
      return h.mail?.relay?.state === 'live' && h.mail.relay.behind === 0 && Object.values(counts).every((n) => n === 0);
    }, 60_000).catch((error: Error) => { throw new Error(`${error.message}: ${seen}`); });
  };
  await settled();
  const before = sink.received.filter((r) => r.rcptTo.some((a) => a.toLowerCase() === IOANA.email)).map((r) => /^Subject: (.*)$/m.exec(r.raw.toString())?.[1]);
  t.comment(`mail to her before the erasure: ${JSON.stringify(before)}`);

  // the erasure
  const erased = await call('/privacy/erasures', { body: { email: IOANA.email.toUpperCase(), reason: 'request PRIV-2027-7' }, key: 'erasure-e2e-1' });
  t.equal(erased.status, 200, erased.text);
  t.match(erased.json(), { erasureId: 'erasure-e2e-1', consultations: [{ consultationId: id, contacts: 1, signatures: 1 }] });
  t.notOk(hers(erased.text), 'the answer names nobody');
  await until('the views forget her', async () => {
    const [s, o] = await Promise.all([call(`/consultations/${id}/stakeholders`), call(`/consultations/${id}/sign-off`)]);
    return !hers(s.text) && !hers(o.text) && s.text.includes('[erased]') && o.text.includes('[erased]');
  }, 30_000);

  // a resend to every contact of the organisation: her colleague gets it, she gets nothing
  const toMariaBefore = toMaria();
  const resend = await call(`/consultations/${id}/stakeholders/${cso}/resend-invitation`, { body: {} });
  t.ok(resend.status < 300, `resend accepted: ${resend.status} ${resend.text}`);
  await until('the resend delivered to her colleague', () => toMaria() === toMariaBefore + 1, 60_000);
  await settled();
  const subjects = () => sink.received.filter((r) => r.rcptTo.some((a) => a.toLowerCase() === IOANA.email)).map((r) => /^Subject: (.*)$/m.exec(r.raw.toString())?.[1]);
  t.same(subjects(), before, 'nothing more was delivered to her address');
  t.ok(sink.received.slice(-1).every((r) => !hers(r.raw.toString())), 'the colleague\'s copy names her no more');

  const checkEverything = async (t: Test, label: string) => {
    for (const url of ['', '/stakeholders', `/stakeholders/${cso}`, '/comments', '/sign-off', '/drafts', '/held-replies', '/events?limit=1000']) {
      const got = await call(`/consultations/${id}${url}`);
      t.equal(got.status, 200, `${label} GET …${url || '/'}: ${got.text.slice(0, 200)}`);
      t.notOk(hers(got.text) || got.text.toLowerCase().includes(IOANA.email), `${label}: GET …${url || '/'} names her no more`);
    }
    for (const url of ['/stakeholders', '/comments', '/sign-off']) {
      const csv = await call(`/consultations/${id}${url}`, { accept: 'text/csv' });
      t.equal(csv.status, 200, `${label} ${url} as CSV`);
      t.notOk(hers(csv.text) || csv.text.toLowerCase().includes(IOANA.email), `${label}: ${url} as CSV names her no more`);
    }
    const exported = await call(`/consultations/${id}/export`, { token: auditor });
    t.equal(exported.status, 200, `${label} export: ${exported.text.slice(0, 200)}`);
    t.notOk(hers(exported.text) || exported.text.toLowerCase().includes(IOANA.email), `${label}: the export names her no more`);
    const list = await call('/consultations');
    t.notOk(hers(list.text), `${label}: the list names her no more`);
    // what stays
    const x = (await ok(`/consultations/${id}/stakeholders/${cso}`)).json();
    t.match(x, { organisation: 'Women in Peace Network', contacts: [{ contactId, name: '[erased]', email: '[erased]' }, { name: MARIA.name, email: MARIA.email }] }, `${label}: the organisation and her colleague stay; she is [erased]`);
    const comments = (await ok(`/consultations/${id}/comments`)).json()['comments'] as { commentId: string; text?: string }[];
    t.ok(comments.some((c) => c.commentId === comment['commentId']), `${label}: its comment stays`);
    t.match((await ok(`/consultations/${id}/sign-off`)).json(), { endorsers: [{ stakeholderId: ministry, status: 'endorsed', history: [{ signatory: { name: '[erased]', title: 'Secretary of State' } }] }] }, `${label}: the endorsement stays, its signatory [erased]`);
    // the files of the data directory
    t.notOk(hers(fileText(path.join(dataDir, 'events.sqlite'))), `${label}: events.sqlite (and its WAL) never held her in clear`);
    const views = fileText(path.join(dataDir, 'views.sqlite'));
    const at = views.search(/ioana|zamfirescu/i);
    t.equal(at, -1, `${label}: views.sqlite (and its WAL) hold her no more`, at === -1 ? {} : { found: JSON.stringify(views.slice(Math.max(0, at - 80), at + 80)) });
    const outbox = path.join(dataDir, 'outbox');
    t.same(existsSync(outbox) ? readdirSync(outbox).filter((f) => hers(readFileSync(path.join(outbox, f)).toString())) : [], [], `${label}: no outbox file names her`);
  };
  await checkEverything(t, 'after the erasure');

  const verify = spawnSync(process.execPath, [bin, 'verify'], { env: { ...process.env, DATA_DIR: dataDir, AUTH_SECRET, NODE_ENV: 'development', EVENTSTORE_URL: '', DATABASE_URL: '' }, encoding: 'utf8' });
  t.equal(verify.status, 0, `consult verify exits 0: ${verify.stdout}${verify.stderr}`);
  t.notOk(hers(verify.stdout + verify.stderr), 'nor does verify print her');

  // a restart on the same data directory
  server.child.kill('SIGTERM');
  t.equal((await server.exited).code, 0, 'clean stop');
  const firstLog = wholeLog(server);
  server = start(t, env);
  address = await server.address;
  await until('ready again', async () => (await fetch(`${address}/readyz`)).status === 200, 30_000);
  await checkEverything(t, 'after a restart');
  server.child.kill('SIGTERM');
  t.equal((await server.exited).code, 0, 'clean stop');

  // the log of the whole run (both processes, from their first line): names her nowhere
  for (const [label, log] of [['first run', firstLog], ['second run', wholeLog(server)]] as const) {
    const at = log.search(/ioana|zamfirescu/i);
    t.equal(at, -1, `the ${label}'s log names her nowhere`, at === -1 ? {} : { found: log.slice(Math.max(0, at - 200), at + 200) });
    t.notOk(log.toLowerCase().includes(IOANA.email), `the ${label}'s log holds not her address`);
  }
});
