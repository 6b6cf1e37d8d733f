import { runCaseCommand } from '../app/case/commands';
import type { Db } from '../db/connect';
import type { Actor } from '../engine/commands';

/**
 * What sets the sweep benches up (`setupCommands`, bench/sweep-profile.ts): on each case, a
 * mediator's claim and a request for the buyer's evidence, one command (one durable
 * transaction) each, three mediators in turn.
 */
export async function claimAndRequestEvidence(db: Db, ids: string[], now: number): Promise<void> {
  const mediators: Actor[] = ['m1', 'm2', 'm3'].map((id) => ({ kind: 'user', id, role: 'mediator' }));
  for (const [i, id] of ids.entries()) {
    const actor = mediators[i % mediators.length]!;
    await runCaseCommand(db, id, { type: 'claim' }, actor, now);
    await runCaseCommand(
      db,
      id,
      { type: 'requestEvidence', party: 'buyer', request: 'Please send a photo of the parcel label and of the item as received.' },
      actor,
      now,
    );
  }
}
