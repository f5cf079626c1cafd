// Attachments of inbound replies, stored content-addressed: DATA_DIR/attachments/<sha256>, the
// file named by the lowercase hex SHA-256 of its bytes, so the same file sent twice is stored once
// and a reference (the hash in a comment) can never point at other bytes. Written to a temporary
// file in the same directory, fsynced, then renamed: a crash leaves either the whole file or none
// under its name. The download route reads through attachmentPath.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

const SHA256 = /^[0-9a-f]{64}$/;

/** Where the attachment with this hash lives (throws on anything but 64 lowercase hex digits: no path can be smuggled in). */
export function attachmentPath(dataDir: string, sha256: string): string {
  if (!SHA256.test(sha256)) throw new Error('an attachment is named by the lowercase hex SHA-256 of its bytes');
  return path.join(dataDir, 'attachments', sha256);
}

/** Stores the bytes (once: a file already there is kept) and returns their hash. */
export async function storeAttachment(dataDir: string, bytes: Uint8Array): Promise<{ sha256: string; size: number }> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const target = attachmentPath(dataDir, sha256);
  const dir = path.dirname(target);
  try {
    await fs.access(target);
    return { sha256, size: bytes.byteLength };
  } catch {
    // not there yet
  }
  await fs.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${sha256}.${randomBytes(6).toString('hex')}.tmp`);
  const file = await fs.open(temp, 'wx');
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  // the rename itself is durable once the directory is synced
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { sha256, size: bytes.byteLength };
}
