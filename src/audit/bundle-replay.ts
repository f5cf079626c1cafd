// The part of a bundle's verification that needs the product: replaying its events through this
// version's reducers must give the views the bundle carries (the chain, the head and its signature
// are verifier/verify-bundle.mjs's, which needs Node alone).
import { canonicalJson } from '../../verifier/verify-bundle.mjs';
import { AUDITED_VIEWS, viewsAt, type AuditedViewName } from './views-at.ts';
import type { Bundle } from './export.ts';

/** Every view of the bundle that the replay does not give, named; [] when all agree. */
export async function replayFindings(bundle: Bundle): Promise<string[]> {
  const findings: string[] = [];
  for (const [name, p] of Object.entries(AUDITED_VIEWS) as [AuditedViewName, (typeof AUDITED_VIEWS)[AuditedViewName]][]) {
    const made = bundle.manifest?.views?.[name];
    if (made && made.version !== p.version) {
      findings.push(`view ${name}: made by ${made.projection} version ${made.version}, this version of the product has version ${p.version}; verify with the release that made it`);
    }
  }
  if (findings.length > 0) return findings;
  let replayed: Record<AuditedViewName, unknown>;
  try {
    replayed = await viewsAt(bundle.events, bundle.head.consultationId, bundle.manifest.viewsAt);
  } catch (error) {
    return [`the events do not replay: ${error instanceof Error ? error.message : String(error)}`];
  }
  for (const name of Object.keys(AUDITED_VIEWS) as AuditedViewName[]) {
    if (canonicalJson(replayed[name]) !== canonicalJson(bundle.views?.[name] ?? null)) {
      findings.push(`view ${name}: replaying the events does not give the view the bundle carries`);
    }
  }
  return findings;
}
