/** The caller gave the revision it expects (HTTP If-Match) and the consultation has moved on. */
export class RevisionMismatchError extends Error {
  readonly code = 'REVISION_MISMATCH';
  readonly status = 412;
  constructor(readonly expected: number, readonly actual: number) {
    super(`expected the consultation at revision ${expected}, it is at ${actual}`);
    this.name = 'RevisionMismatchError';
  }
}

/** Other writers kept winning the race for the stream; the command was not applied. */
export class ContentionError extends Error {
  readonly code = 'CONTENTION';
  readonly status = 503;
  constructor(readonly streamName: string, readonly attempts: number) {
    super(`gave up appending to ${streamName} after ${attempts} conflicting attempts`);
    this.name = 'ContentionError';
  }
}
