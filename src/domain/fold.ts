// Folding stored events into the consultation's state, through the one decode path.
import { evolve, initialState, type ConsultationState } from './consultation.ts';
import { fromRecorded, type StoredEvent } from './decode.ts';

/** Throws UndecodableEventError at the first event that cannot be decoded. */
export function foldRecorded(events: readonly StoredEvent[], state: ConsultationState = initialState()): ConsultationState {
  for (const e of events) evolve(state, fromRecorded(e));
  return state;
}
