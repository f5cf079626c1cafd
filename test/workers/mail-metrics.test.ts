// What the mail side shows an operator through the admin listener: the mail worker counts what it
// records as sent and failed (by job kind), and the mail queue the relay adds to is the dashboard's
// and the queue gauges'. Real Redis on 127.0.0.1:6379 under a prefix of this test's own, a real
// smtp-server on 127.0.0.1.
import t from 'tap';
import { buildAdminServer } from '../../src/http/admin.ts';
import { Metrics } from '../../src/metrics.ts';
import { MAIL_QUEUE } from '../../src/workers/jobs.ts';
import { inviteThroughApi, openConsultation, startApi } from '../helpers/http.ts';
import { startMail, until } from '../helpers/mail-system.ts';

t.setTimeout(120_000);

const invitee = (email: string) => ({
  organisation: `Organisation of ${email}`, kind: 'civil-society', language: 'en', endorser: false, contact: { name: 'Focal point', email },
});

t.test('mails sent and failed are counted by kind as the worker records them; the mail queue is on the dashboard and in the gauges', async (t) => {
  const metrics = new Metrics({ defaultMetrics: false });
  const api = await startApi(t, { metrics });
  const mail = await startMail(t, { store: api.store, handler: api.handler, damage: api.damage, viewStore: api.runner.viewStore, metrics });
  t.ok(mail.system.queue, 'the relay\'s queue is exposed');
  const admin = await buildAdminServer({ metrics, queues: [mail.system.queue!] });
  t.teardown(() => admin.close());
  const address = await admin.listen({ port: 0, host: '127.0.0.1' });

  const id = await openConsultation(api);
  mail.sink.refuse.set('gone@example.org', 550);
  await inviteThroughApi(api, id, invitee('here@example.org'));
  await inviteThroughApi(api, id, invitee('gone@example.org'));
  await until('one invitation sent and one failure recorded', async () => (await mail.records(id)).length === 2);

  const text = await (await fetch(`${address}/metrics`)).text();
  t.match(text, /^consult_mails_sent_total\{kind="invitation",transport="smtp"\} 1$/m);
  t.match(text, /^consult_mails_failed_total\{kind="invitation",permanent="true"\} 1$/m);
  t.match(text, /^consult_commands_total\{command="RecordMessageSent",outcome="appended"\} 1$/m, 'the worker\'s records are commands like any other');
  t.match(text, /^consult_commands_total\{command="RecordDeliveryFailure",outcome="appended"\} 1$/m);
  t.match(text, new RegExp(`^consult_queue_reachable\\{queue="${MAIL_QUEUE}"\\} 1$`, 'm'));
  t.match(text, new RegExp(`^consult_queue_jobs\\{queue="${MAIL_QUEUE}",state="waiting"\\} \\d+$`, 'm'));

  const listed = await (await fetch(`${address}/queues/api/queues`)).json() as { queues: { name: string }[] };
  t.same(listed.queues.map((q) => q.name), [MAIL_QUEUE], 'the dashboard shows the mail queue');
});
