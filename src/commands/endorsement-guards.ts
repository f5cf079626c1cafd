import { DomainError } from '../domain/errors.ts';
import { endorsementDeadlineFor, isAfter, requireActingFor, requireActive, requireOpen, requireStakeholder } from '../domain/rules.ts';
import type { ReadonlyStakeholder, ReadonlyState } from '../domain/consultation.ts';
import type { CommandContext } from './command.ts';

/** Endorse or withhold: only an active endorser, only on the version with the open request, only before its deadline. */
export function requireEndorserMayDecide(
  state: ReadonlyState,
  input: { stakeholderId: string; draftVersion: number },
  ctx: CommandContext,
): ReadonlyStakeholder {
  requireOpen(state);
  requireActingFor(ctx.actor, input.stakeholderId);
  const x = requireStakeholder(state, input.stakeholderId);
  if (!x.endorser) throw new DomainError('NOT_AN_ENDORSER', `${x.organisation} was not invited as an endorser`);
  requireActive(x);
  if (state.endorsementRequest?.draftVersion !== input.draftVersion) {
    throw new DomainError('NO_ENDORSEMENT_REQUEST', `no endorsement request is open for draft version ${input.draftVersion}`);
  }
  const deadline = endorsementDeadlineFor(state, x);
  if (isAfter(ctx.now, deadline)) throw new DomainError('ENDORSEMENT_DEADLINE_PASSED', `the endorsement deadline was ${deadline}`, { deadline });
  return x;
}
