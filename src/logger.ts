import { pino, type Logger } from 'pino';

/** Paths that never reach the logs: tokens, e-mail addresses, comment text. */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'token', '*.token', 'email', '*.email', '*.contacts[*].email',
  'contacts[*].email', 'text', '*.text', 'proposedText', '*.proposedText', 'AUTH_SECRET',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination as unknown as pino.DestinationStream) : pino(options);
}
