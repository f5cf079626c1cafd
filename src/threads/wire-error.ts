// Any error as it crosses a writer thread's boundary (the event store's, the view store's) when it
// is none of the kinds that thread rebuilds with their class: its name, message and code survive.
// Structured clone keeps an Error's message but not its name, code or class.

export interface OtherWireError {
  kind: 'other';
  name: string;
  message: string;
  code?: string;
}

/** On the thread: what crosses of an error of no particular kind. */
export function otherToWire(error: unknown): OtherWireError {
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  return {
    kind: 'other',
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/** On the main thread: the error again, with its name and code. */
export function otherFromWire(error: OtherWireError): Error {
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  return error.code === undefined ? rebuilt : Object.assign(rebuilt, { code: error.code });
}
