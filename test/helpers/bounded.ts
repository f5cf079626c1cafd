// A wait that fails with a message instead of hanging the test file.

/** Resolves as `promise` does, or rejects naming `what` after `waitMs`. */
export async function bounded<T>(promise: Promise<T>, what: string, waitMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${waitMs} ms waiting for ${what}`)), waitMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
