// Every projection the runner feeds, and each one's view types and read helpers.
import type { Projection } from './projection.ts';
import { commentMatrix } from './comment-matrix.ts';
import { consultationSettings } from './consultation-settings.ts';
import { consultationsList } from './consultations-list.ts';
import { drafts } from './drafts.ts';
import { heldReplies } from './held-replies.ts';
import { signOff } from './sign-off.ts';
import { stakeholders } from './stakeholders.ts';

export * from './projection.ts';
export * from './consultations-list.ts';
export * from './stakeholders.ts';
export * from './sign-off.ts';
export * from './comment-matrix.ts';
export * from './drafts.ts';
export * from './consultation-settings.ts';
export * from './held-replies.ts';

/** All of them, for the runner. */
export const projections: readonly Projection[] = [consultationsList, stakeholders, signOff, commentMatrix, drafts, consultationSettings, heldReplies];
