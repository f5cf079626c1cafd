// What the consultation's state says about a stakeholder, as the facts the standing rules take
// (standing.ts): the mail workers ask "is a reminder still due?" of the state they fold, as the
// stakeholders view asks it of its rows. The rules themselves stay in standing.ts.
import type { ReadonlyStakeholder, ReadonlyState } from './consultation.ts';
import { awaitingFrom, takesPart, type Awaiting, type CurrentDraftFacts } from './standing.ts';

/** It takes part (takesPart): neither removed nor declined. */
export function takesPartInState(x: ReadonlyStakeholder): boolean {
  return takesPart({ removed: x.removed, declined: x.response === 'declined' });
}

/** What is awaited from it now (awaitingFrom), from the state. */
export function awaitingInState(s: ReadonlyState, x: ReadonlyStakeholder): Awaiting[] {
  const current = s.latestVersion > 0 ? s.latestVersion : null;
  let commented = false;
  let commentedOnCurrent = false;
  for (const c of s.comments.values()) {
    if (c.stakeholderId !== x.id || c.retracted) continue;
    commented = true;
    if (c.draftVersion === current) commentedOnCurrent = true;
  }
  const onCurrent: CurrentDraftFacts | null = current === null ? null : {
    commented: commentedOnCurrent,
    reviewed: x.reviewedVersions.includes(current),
    decision: x.decisions.get(current)?.decision ?? null,
    endorsementRequested: s.endorsementRequest?.draftVersion === current,
  };
  return awaitingFrom(s.status === 'open', {
    endorser: x.endorser,
    removed: x.removed,
    declined: x.response === 'declined',
    accepted: x.response === 'accepted',
    commented,
    reviewed: x.reviewedVersions.length > 0,
    decided: x.decisions.size > 0,
  }, onCurrent);
}
