import { AppError } from '../errors/catalogue.ts';

/** The caller gave the revision it expects (HTTP If-Match) and the consultation has moved on. */
export class RevisionMismatchError extends AppError {
  constructor(readonly expected: number, readonly actual: number) {
    super('REVISION_MISMATCH', `expected the consultation at revision ${expected}, it is at ${actual}`, { expected, actual });
    this.name = 'RevisionMismatchError';
  }
}

/** Other writers kept winning the race for the stream; the command was not applied. */
export class ContentionError extends AppError {
  constructor(readonly streamName: string, readonly attempts: number) {
    super('CONTENTION', `gave up appending to ${streamName} after ${attempts} conflicting attempts`);
    this.name = 'ContentionError';
  }
}
