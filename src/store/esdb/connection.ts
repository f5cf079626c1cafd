// Connection strings and errors: what a person reads when EventStoreDB cannot be reached.
import { EventStoreUnavailableError as StoreUnavailableError } from '../unavailable.ts';

/** The connection string without user name and password, for logs and messages. */
export function redactedUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1');
}

export class EventStoreUnavailableError extends StoreUnavailableError {
  constructor(url: string, cause: unknown) {
    super(`EventStoreDB at ${redactedUrl(url)} is not reachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** True for errors that say the server could not be reached (not that it refused the request). */
export function isConnectionError(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return type === 'unavailable' || type === 'deadline-exceeded' || type === 'timeout' || type === 'not-leader';
}
