// The store cannot be reached or refuses writes (disk full, I/O error, a read-only file, a lock
// held too long): one error for every adapter, catalogued as 503 EVENT_STORE_UNAVAILABLE, which a
// client retries with the same Idempotency-Key. Nothing it held was acknowledged.
import { AppError } from '../errors/catalogue.ts';

export class EventStoreUnavailableError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('EVENT_STORE_UNAVAILABLE', message);
    this.name = 'EventStoreUnavailableError';
    if (options.cause !== undefined) this.cause = options.cause;
  }
}
