/** Every consultation's stream name starts with this; the stores filter on it. */
export const CONSULTATION_STREAM_PREFIX = 'consultation-';

/** One stream per consultation. */
export function streamNameFor(consultationId: string): string {
  return `${CONSULTATION_STREAM_PREFIX}${consultationId}`;
}

export function consultationIdOf(streamName: string): string | null {
  return streamName.startsWith(CONSULTATION_STREAM_PREFIX) ? streamName.slice(CONSULTATION_STREAM_PREFIX.length) : null;
}
