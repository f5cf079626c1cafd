// Folding stored events into the consultation's state.
import { evolve, initialState, type ConsultationState, type FoldableEvent } from './consultation.ts';
import type { RecordedEvent } from '../store/port.ts';

/** Views a stored event as the fold sees it. Unknown event types (added later) pass through evolve untouched. */
export function asFoldable(e: Pick<RecordedEvent, 'type' | 'data' | 'metadata' | 'revision'>): FoldableEvent {
  return e as unknown as FoldableEvent;
}

export function foldRecorded(events: readonly RecordedEvent[], state: ConsultationState = initialState()): ConsultationState {
  for (const e of events) evolve(state, asFoldable(e));
  return state;
}
