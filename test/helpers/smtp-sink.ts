// A real SMTP listener on 127.0.0.1 (smtp-server, port 0) that keeps what it receives: each
// transaction's envelope and raw message. Addresses can be made to fail at RCPT with a given code.
// It counts the connections opened and still open, and the transactions begun (MAIL FROM), so a
// test can tell a pooled sender's reused connections from one connection per message.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Test } from 'tap';

export interface Received {
  mailFrom: string | null;
  rcptTo: string[];
  raw: Buffer;
}

export interface SmtpSink {
  url: string;
  received: Received[];
  /** RCPT TO this address is answered with this code (e.g. 550 unknown mailbox, 451 try later) */
  refuse: Map<string, number>;
  /** how many times each address was named in RCPT TO (refused or not), lower-cased */
  rcptAttempts: Map<string, number>;
  /** connections opened so far (onConnect) */
  connections(): number;
  /** connections open now (opened, not yet closed) */
  openConnections(): number;
  /** transactions begun so far (each MAIL FROM) */
  mailFroms(): number;
}

export interface SmtpSinkOptions {
  /** hold each message this long before accepting it (a slow server, to stop a worker mid-run) */
  acceptDelayMs?: number;
}

export async function startSmtpSink(t: Test, options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const received: Received[] = [];
  const refuse = new Map<string, number>();
  const rcptAttempts = new Map<string, number>();
  /** sessions whose client went away: a message not yet answered with 250 there was never accepted */
  const closed = new Set<string>();
  let connections = 0;
  let mailFroms = 0;
  const server = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: true,
    disableReverseLookup: true,
    logger: false,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onMailFrom(_address, _session, callback) {
      mailFroms++;
      callback();
    },
    onRcptTo(address, _session, callback) {
      const key = address.address.toLowerCase();
      rcptAttempts.set(key, (rcptAttempts.get(key) ?? 0) + 1);
      const code = refuse.get(key);
      if (code === undefined) return callback();
      return callback(Object.assign(new Error(code >= 500 ? 'No such mailbox' : 'Try again later'), { responseCode: code }));
    },
    onClose(session) {
      closed.add(session.id);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        const accept = () => {
          if (closed.has(session.id)) return callback(new Error('the client went away'));
          received.push({ mailFrom: from ? from.address : null, rcptTo: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
          callback();
        };
        if (options.acceptDelayMs) setTimeout(accept, options.acceptDelayMs);
        else accept();
      });
    },
  });
  server.on('error', (error) => t.comment(`smtp sink: ${error.message}`)); // a client dropping mid-DATA must not crash the test
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: `smtp://127.0.0.1:${port}`, received, refuse, rcptAttempts,
    connections: () => connections, openConnections: () => connections - closed.size, mailFroms: () => mailFroms,
  };
}
