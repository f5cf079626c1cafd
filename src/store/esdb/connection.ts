// Connection strings and errors: what a person reads when EventStoreDB cannot be reached.
import { AppError } from '../../errors/catalogue.ts';

/** The connection string without user name and password, for logs and messages. */
export function redactedUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1');
}

export class EventStoreUnavailableError extends AppError {
  constructor(url: string, cause: unknown) {
    super('EVENT_STORE_UNAVAILABLE', `EventStoreDB at ${redactedUrl(url)} is not reachable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'EventStoreUnavailableError';
    this.cause = cause;
  }
}

/** True for errors that say the server could not be reached (not that it refused the request). */
export function isConnectionError(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return type === 'unavailable' || type === 'deadline-exceeded' || type === 'timeout' || type === 'not-leader';
}
