// Read-your-writes across replicas: a commit sends NOTIFY <channel>, '<consumer>' inside its own
// transaction (so it is delivered exactly when the commit is visible, in commit order); this
// listener holds one dedicated LISTEN connection per store, opened on the first wait, and wakes
// the waits for that consumer, which then re-read the checkpoint. Every wait also wakes at the
// polling interval, so a dropped LISTEN connection (re-opened on a later wait, at most once a
// second) only makes waits slower, never stuck.
import { Client, escapeIdentifier, type ClientConfig } from 'pg';
import { ChangeSignal } from './wait-for-checkpoint.ts';

/** NOTIFY payloads must be shorter than 8000 bytes; a longer consumer name is sent as '' (wake every wait). */
export function notifyPayload(consumer: string): string {
  return Buffer.byteLength(consumer) < 7900 ? consumer : '';
}

const RETRY_MS = 1000;

export class CheckpointListener {
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private lastAttempt = 0;
  private closed = false;
  private readonly signals = new Map<string, ChangeSignal>();

  constructor(
    private readonly config: ClientConfig,
    private readonly channel: string,
    private readonly pollIntervalMs: number,
    private readonly onError: (error: unknown) => void,
    /** for a listener that is not about checkpoints (the key store's destroys): every payload, and when LISTEN comes up or is lost */
    private readonly hooks: { notification?: (payload: string) => void; up?: () => void; lost?: () => void } = {},
  ) {}

  /** Whether the LISTEN connection is up (for health details and tests). */
  get listening(): boolean {
    return this.client !== null;
  }

  /** The backend process id of the LISTEN connection, or null (for tests that cut it). */
  backendPid: number | null = null;

  changesFor(consumer: string): ChangeSignal {
    let signal = this.signals.get(consumer);
    if (!signal) this.signals.set(consumer, (signal = new ChangeSignal(this.pollIntervalMs)));
    return signal;
  }

  /** Makes sure LISTEN is on: resolves once it is, or once this attempt failed (waits then poll). */
  ensure(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    if (this.connecting) return this.connecting;
    if (Date.now() - this.lastAttempt < RETRY_MS) return Promise.resolve();
    this.lastAttempt = Date.now();
    this.connecting = this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting;
    const client = this.client;
    this.client = null;
    this.backendPid = null;
    this.wakeAll();
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ ...this.config, application_name: `${this.config.application_name ?? 'view-store'}:listen` });
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      this.backendPid = null;
      this.hooks.lost?.();
    };
    client.on('error', (error) => {
      lost();
      this.onError(error);
      client.end().catch(() => undefined);
    });
    client.on('end', lost);
    client.on('notification', (message) => {
      if (message.channel !== this.channel) return;
      this.hooks.notification?.(message.payload ?? '');
      if (message.payload) this.signals.get(message.payload)?.notify();
      else this.wakeAll();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${escapeIdentifier(this.channel)}`);
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      this.backendPid = rows[0]?.pid ?? null;
      this.hooks.up?.();
      this.wakeAll(); // a commit may have gone unheard while the connection was down
    } catch (error) {
      this.onError(error);
      await client.end().catch(() => undefined);
    }
  }

  private wakeAll(): void {
    for (const signal of this.signals.values()) signal.notify();
  }
}
