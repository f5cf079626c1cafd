// The inbound SMTP listener (smtp-server): takes mail for reply+<token>@ and bounces+<token>@
// INBOUND_DOMAIN whose token holds (recipient.ts) and refuses every other recipient at RCPT time
// (550), one recipient per message (452 for a second: the sender sends it again on its own). It
// enforces INBOUND_MAX_BYTES itself: SIZE is advertised, a larger MAIL FROM SIZE= is refused, and a
// message that grows past it is read to its end without being kept, then answered 552. The mail is
// recorded before the 250 (mailbox.ts): a failure to record is a 451, and the sender tries again.
// A client that drops mid-DATA loses its message and nothing else: the stream's error is handled,
// as is every error of the server (`error` handler). No AUTH, no STARTTLS: put it behind the MTA
// that terminates TLS for the domain, or on a private network.
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { InboundRefusal, type InboundMailbox } from './mailbox.ts';
import type { Recipient } from './recipient.ts';

export interface InboundListenerOptions {
  mailbox: InboundMailbox;
  port: number;
  host: string;
  logger?: Logger;
  /** how long close() waits for the connections to end before closing them (default 5 s) */
  closeTimeoutMs?: number;
  /** connections at once (default 100); more are refused with 421 */
  maxClients?: number;
}

export interface InboundListener {
  address: { host: string; port: number };
  /** stops taking connections, lets the messages in flight be answered, then closes the rest */
  close(): Promise<void>;
}

function smtpError(code: number, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(text), { responseCode: code });
}

export async function startInboundListener(options: InboundListenerOptions): Promise<InboundListener> {
  const { mailbox, logger } = options;
  const { domain, maxBytes } = mailbox.settings;
  /** each transaction's recipient, by session (set at RCPT, cleared by the next MAIL and at close) */
  const recipients = new Map<string, Recipient>();
  /** sessions in DATA or recording their message: close() lets them finish */
  const busy = new Set<string>();

  const server: SMTPServer = new SMTPServer({
    name: domain,
    banner: 'replies and delivery reports only',
    size: maxBytes,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    disableReverseLookup: true,
    logger: false,
    closeTimeout: options.closeTimeoutMs ?? 5_000,
    maxClients: options.maxClients ?? 100,
    onMailFrom(_address, session, callback) {
      recipients.delete(session.id);
      callback();
    },
    onRcptTo(address, session, callback) {
      if (recipients.has(session.id) || session.envelope.rcptTo.length > 0) {
        return callback(smtpError(452, '4.5.3 One recipient per message here: send it again for the next one'));
      }
      mailbox.check(address.address).then((checked) => {
        if (!checked.ok) {
          logger?.info({ reason: checked.reason }, 'inbound mail: recipient refused');
          return callback(smtpError(550, '5.1.1 No such recipient here'));
        }
        recipients.set(session.id, checked.recipient);
        callback();
      }, (error: unknown) => {
        logger?.warn({ err: error }, 'inbound mail: the recipient could not be checked; answered 451');
        callback(smtpError(451, '4.3.0 Try again later'));
      });
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, done) {
      busy.add(session.id);
      const callback = (error: Error | null, message?: string) => {
        busy.delete(session.id);
        done(error, message);
      };
      const chunks: Buffer[] = [];
      let bytes = 0;
      let over = false;
      stream.on('error', (error) => logger?.info({ err: { message: error.message } }, 'inbound mail: the client went away during DATA; nothing kept'));
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > maxBytes) over = true;
        if (!over) chunks.push(chunk);
        else chunks.length = 0; // drained, not kept
      });
      stream.on('end', () => {
        if (over || stream.sizeExceeded) {
          logger?.info({ bytes, maxBytes }, 'inbound mail: message too large; answered 552');
          return callback(smtpError(552, `5.3.4 Message exceeds the fixed maximum message size of ${maxBytes} bytes`));
        }
        const recipient = recipients.get(session.id);
        if (!recipient) return callback(smtpError(503, '5.5.1 No valid recipient'));
        const from = session.envelope.mailFrom;
        mailbox.receive({ raw: Buffer.concat(chunks), recipient, envelopeFrom: from ? from.address : '', receivedAt: mailbox.now() }).then(
          (outcome) => callback(null, `2.0.0 ${outcome.outcome}`),
          (error: unknown) => {
            if (error instanceof InboundRefusal) return callback(smtpError(error.smtpCode, `${error.enhanced} ${error.message}`));
            logger?.error({ err: error }, 'inbound mail: could not be recorded; answered 451');
            callback(smtpError(451, '4.3.0 Could not be recorded now; try again later'));
          },
        );
      });
    },
    onClose(session) {
      recipients.delete(session.id);
      busy.delete(session.id);
    },
  });
  // a client that drops mid-DATA, a bad TLS hello, a socket error: logged, never a crash
  server.on('error', (error) => logger?.warn({ err: { message: error.message, code: (error as { code?: string }).code } }, 'inbound SMTP listener: connection error'));

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.server.address() as AddressInfo;
  return {
    address: { host: address, port },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      // idle connections (a sender's pool) are told 421 at once; those in a transaction finish first
      const open = (server as unknown as { connections?: unknown }).connections;
      if (!(open instanceof Set)) return;
      for (const connection of open as Set<{ session?: { id?: string }; send(code: number, text: string): void; close(): void }>) {
        if (connection.session?.id !== undefined && busy.has(connection.session.id)) continue;
        connection.send(421, '4.3.2 Shutting down; try again later');
        connection.close();
      }
    }),
  };
}
