import { DomainError } from '../domain/errors.ts';
import type { CommentState, DeepReadonly, ReadonlyState } from '../domain/consultation.ts';

/** Answering or retracting needs an existing comment that is not retracted. */
export function requireLiveComment(state: ReadonlyState, commentId: string): DeepReadonly<CommentState> {
  const c = state.comments.get(commentId);
  if (!c) throw new DomainError('COMMENT_NOT_FOUND', `no comment ${commentId}`);
  if (c.retracted) throw new DomainError('COMMENT_RETRACTED', `comment ${c.ref} was retracted`, { commentId: c.id, ref: c.ref });
  return c;
}
