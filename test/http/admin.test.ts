// The admin listener as an operator and a scraper meet it, on 127.0.0.1 port 0: /metrics in the
// Prometheus text format (request durations by route pattern, commands by name and outcome, mails,
// queue depths, the process's defaults), HTTP basic auth, and the BullMQ dashboard at /queues over a
// real queue in the local Redis (a unique prefix, obliterated after).
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { buildAdminServer, resolveAdminListener, startAdminListener } from '../../src/http/admin.ts';
import { Metrics, type CountedQueue } from '../../src/metrics.ts';
import { DRAFT_BODY, OPEN_BODY, openConsultation, startApi } from '../helpers/http.ts';

t.setTimeout(60_000);

type Teardown = { teardown(fn: () => unknown): void };

/** An admin server listening on 127.0.0.1 port 0; closed at the end of the test. */
async function startAdmin(t: Teardown, options: Parameters<typeof buildAdminServer>[0]): Promise<string> {
  const app = await buildAdminServer(options);
  t.teardown(() => app.close());
  return app.listen({ port: 0, host: '127.0.0.1' });
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The value of one sample line of the exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const has = new Map([...(m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (wanted.every(([k, v]) => has.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}

t.test('/metrics: request durations by route pattern (never an id), commands by name and outcome, defaults, text format', async (t) => {
  const metrics = new Metrics();
  const api = await startApi(t, { metrics });
  const address = await startAdmin(t, { metrics });

  const id = await openConsultation(api); // OpenConsultation, PublishDraft
  t.equal((await api.call({ url: `/consultations/${id}` })).statusCode, 200);
  t.equal((await api.call({ url: `/consultations/${id}/drafts/1` })).statusCode, 200);
  const earlier = await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: '2099-01-01T00:00:00Z', reason: 'x' } });
  t.equal(earlier.statusCode, 422, 'a command refused by a rule');
  const stale = await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY, headers: { 'if-match': '"0"' } });
  t.equal(stale.statusCode, 412, 'a command refused for a stale If-Match');
  const again = await api.call({ url: '/consultations', body: OPEN_BODY, headers: { 'idempotency-key': 'open-once' } });
  await api.call({ url: '/consultations', body: OPEN_BODY, headers: { 'idempotency-key': 'open-once' } });
  t.equal(again.statusCode, 201);
  t.equal((await api.call({ url: `/nothing/here/${randomUUID()}` })).statusCode, 404);

  const res = await fetch(`${address}/metrics`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4; charset=utf-8/);
  const text = await res.text();

  t.match(text, /# TYPE http_request_duration_seconds histogram/);
  t.equal(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/consultations/:id', status_code: '200' }), 1, 'a GET of one consultation, under its pattern');
  t.equal(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/consultations/:id/drafts/:version', status_code: '200' }), 1);
  t.equal(sample(text, 'http_request_duration_seconds_count', { method: 'POST', route: '/consultations', status_code: '201' }), 3);
  t.equal(sample(text, 'http_request_duration_seconds_count', { method: 'POST', route: '/consultations/:id/deadlines', status_code: '422' }), 1);
  t.ok(sample(text, 'http_request_duration_seconds_bucket', { method: 'GET', route: '/consultations/:id', status_code: '200', le: '+Inf' }) === 1, 'buckets by the same labels');
  t.equal(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' }), 1, 'a URL no route matches is one series, whatever its path');
  t.notOk(text.includes(id), 'no consultation id in any label');
  t.notMatch(text, /\/nothing\/here/, 'nor an unmatched path');

  t.match(text, /# TYPE consult_commands_total counter/);
  t.equal(sample(text, 'consult_commands_total', { command: 'OpenConsultation', outcome: 'appended' }), 2);
  t.equal(sample(text, 'consult_commands_total', { command: 'OpenConsultation', outcome: 'replayed' }), 1, 'a retried request with its Idempotency-Key');
  t.equal(sample(text, 'consult_commands_total', { command: 'PublishDraft', outcome: 'appended' }), 1);
  t.equal(sample(text, 'consult_commands_total', { command: 'ExtendDeadline', outcome: 'refused' }), 1);
  t.equal(sample(text, 'consult_commands_total', { command: 'PublishDraft', outcome: 'refused' }), 1, 'the stale If-Match');

  t.match(text, /^process_cpu_seconds_total /m, 'the process default metrics');
  t.match(text, /^nodejs_eventloop_lag_seconds /m);
  t.match(text, /# TYPE consult_mails_sent_total counter/, 'the mail counters are declared before any mail');
  t.match(text, /# TYPE consult_queue_jobs gauge/);
});

t.test('two apps in one process count apart: a registry each', async (t) => {
  const a = new Metrics({ defaultMetrics: false });
  const b = new Metrics({ defaultMetrics: false });
  const apiA = await startApi(t, { metrics: a });
  await startApi(t, { metrics: b });
  await apiA.call({ url: '/consultations', body: OPEN_BODY });
  const text = (m: Metrics) => m.exposition().then((e) => e.body);
  t.equal(sample(await text(a), 'consult_commands_total', { command: 'OpenConsultation', outcome: 'appended' }), 1);
  t.equal(sample(await text(b), 'consult_commands_total', { command: 'OpenConsultation', outcome: 'appended' }), undefined);
});

t.test('mails sent and failed, as the mail worker counts them', async (t) => {
  const metrics = new Metrics({ defaultMetrics: false });
  metrics.countMailSent('invitation', 'smtp');
  metrics.countMailSent('invitation', 'smtp');
  metrics.countMailSent('reminder', 'file');
  metrics.countMailFailed('invitation', true);
  const address = await startAdmin(t, { metrics });
  const text = await (await fetch(`${address}/metrics`)).text();
  t.equal(sample(text, 'consult_mails_sent_total', { kind: 'invitation', transport: 'smtp' }), 2);
  t.equal(sample(text, 'consult_mails_sent_total', { kind: 'reminder', transport: 'file' }), 1);
  t.equal(sample(text, 'consult_mails_failed_total', { kind: 'invitation', permanent: 'true' }), 1);
});

t.test('a queue whose Redis does not answer: the scrape still answers, without its counts, reachable 0', async (t) => {
  const metrics = new Metrics({ defaultMetrics: false, queueTimeoutMs: 50 });
  const silent: CountedQueue = { name: 'mail', getJobCounts: () => new Promise(() => undefined) };
  const failing: CountedQueue = { name: 'other', getJobCounts: () => Promise.reject(new Error('ECONNREFUSED')) };
  metrics.watchQueues([silent, failing]);
  const started = Date.now();
  const { body } = await metrics.exposition();
  t.ok(Date.now() - started < 2000, 'bounded');
  t.equal(sample(body, 'consult_queue_reachable', { queue: 'mail' }), 0);
  t.equal(sample(body, 'consult_queue_reachable', { queue: 'other' }), 0);
  t.equal(sample(body, 'consult_queue_jobs', { queue: 'mail' }), undefined, 'no stale or made-up counts');
});

t.test('basic auth: 401 without credentials or with a wrong password, 200 with the right one (any user name)', async (t) => {
  const password = 'correct horse battery staple';
  const address = await startAdmin(t, { metrics: new Metrics({ defaultMetrics: false }), password });
  for (const path of ['/metrics', '/queues', '/queues/api/queues', '/']) {
    const none = await fetch(`${address}${path}`);
    t.equal(none.status, 401, `${path} without credentials`);
    t.match(none.headers.get('www-authenticate'), /^Basic realm="wps-consult admin"/);
  }
  for (const wrong of [basic('admin', 'wrong'), basic('admin', `${password}x`), basic('admin', ''), 'Basic !!!', `Bearer ${password}`, `Basic ${Buffer.from(password).toString('base64')}`]) {
    t.equal((await fetch(`${address}/metrics`, { headers: { authorization: wrong } })).status, 401, `refuses ${wrong}`);
  }
  const right = await fetch(`${address}/metrics`, { headers: { authorization: basic('prometheus', password) } });
  t.equal(right.status, 200);
  t.match(await right.text(), /consult_commands_total/);
  t.equal((await fetch(`${address}/queues`, { headers: { authorization: basic('', password) } })).status, 200, 'the dashboard too, with any user name');
  t.equal((await fetch(`${address}/metrics`, { headers: { authorization: basic('a:b', 'c') } })).status, 401, 'the password is what follows the first colon');
});

t.test('the dashboard at /queues over a real BullMQ queue, and its depths in /metrics', async (t) => {
  const connection = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null, lazyConnect: true });
  await connection.connect();
  const prefix = `test-admin-${randomUUID().slice(0, 8)}`;
  const queue = new Queue('mail', { connection, prefix });
  t.teardown(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await connection.quit();
  });
  await queue.add('invitation', { kind: 'invitation' }, { jobId: 'job-1' });
  await queue.add('reminder', { kind: 'reminder' }, { jobId: 'job-2', delay: 3_600_000 });
  await queue.add('reminder', { kind: 'reminder' }, { jobId: 'job-3', delay: 3_600_000 });

  const password = 'admin-password-for-tests';
  const metrics = new Metrics({ defaultMetrics: false });
  const address = await startAdmin(t, { metrics, queues: [queue], password });
  const auth = { authorization: basic('admin', password) };

  const page = await fetch(`${address}/queues`, { headers: auth });
  t.equal(page.status, 200);
  t.match(page.headers.get('content-type'), /^text\/html/);
  const html = await page.text();
  t.match(html, /<html/i);
  t.match(html, /<base href="\/queues\/"/, 'its assets under the same prefix');
  const stylesheet = /href="(static\/css\/[^"]+\.css)"/.exec(html)?.[1];
  t.ok(stylesheet, 'a stylesheet');
  t.equal((await fetch(`${address}/queues/${stylesheet}`, { headers: auth })).status, 200, 'served');
  t.equal((await fetch(`${address}/queues/${stylesheet}`)).status, 401, 'behind the password too');
  const api = await fetch(`${address}/queues/api/queues`, { headers: auth });
  t.equal(api.status, 200);
  const listed = await api.json() as { queues: { name: string; counts: Record<string, number> }[] };
  t.match(listed.queues, [{ name: 'mail', counts: { waiting: 1, delayed: 2 } }], 'the dashboard reads the queue');

  const text = await (await fetch(`${address}/metrics`, { headers: auth })).text();
  t.equal(sample(text, 'consult_queue_jobs', { queue: 'mail', state: 'waiting' }), 1);
  t.equal(sample(text, 'consult_queue_jobs', { queue: 'mail', state: 'delayed' }), 2);
  t.equal(sample(text, 'consult_queue_jobs', { queue: 'mail', state: 'active' }), 0);
  t.equal(sample(text, 'consult_queue_jobs', { queue: 'mail', state: 'failed' }), 0);
  t.equal(sample(text, 'consult_queue_reachable', { queue: 'mail' }), 1);
});

t.test('startAdminListener listens where the settings say: loopback by default', async (t) => {
  const settings = resolveAdminListener({ ADMIN_PORT: 0, ADMIN_HOST: '127.0.0.1', ADMIN_PASSWORD: undefined, NODE_ENV: 'development' });
  t.strictSame(settings, { port: 0, host: '127.0.0.1', password: null });
  const { app, address } = await startAdminListener(settings!, { metrics: new Metrics({ defaultMetrics: false }) });
  t.teardown(() => app.close());
  t.match(address, /^http:\/\/127\.0\.0\.1:\d+$/);
  const index = await fetch(`${address}/`);
  t.equal(index.status, 200, 'no password outside production: no auth');
  t.match(await index.text(), /GET \/metrics[\s\S]*GET \/queues\/[\s\S]*no queue in this process/);
});
