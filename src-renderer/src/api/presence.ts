import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useEffectEvent } from 'react';
import { PRESENCE_BEAT_MS, type PresenceActivity, type PresenceEntry } from '../../../src-main/contract/presence';
import { call } from './client';
import { methodKey, useMethodQuery } from './queries';

/**
 * Presence on the case screen: a heartbeat every PRESENCE_BEAT_MS while the case is open
 * (at once when the activity changes: a dialog opened or closed), a departure when it
 * closes, and the others on the case. Beats go around the mutation cache on purpose: a
 * mutation would refetch the whole case every ten seconds. What others do arrives through
 * the change notices ('presence'), which refetch `presence.get`; each beat's answer also
 * refreshes it, so someone whose desktop died disappears within a beat of the time-to-live.
 */
export function usePresence(caseId: string, activity: PresenceActivity): PresenceEntry[] {
  const client = useQueryClient();
  const others = useMethodQuery('presence.get', { caseId });
  const beat = useEffectEvent(async () => {
    const r = await call('presence.beat', { caseId, activity });
    if (r.ok) client.setQueryData(methodKey('presence.get', { caseId }), r.value);
  });

  useEffect(() => {
    const timer = setInterval(() => void beat(), PRESENCE_BEAT_MS);
    return () => {
      clearInterval(timer);
      void call('presence.leave', { caseId });
    };
  }, [caseId]);
  // The first beat, and one whenever the activity changes.
  useEffect(() => void beat(), [caseId, activity]);

  return others.data?.others ?? [];
}

/** What someone is doing on a case, as a phrase ("writing a decision"). */
export const ACTIVITY_PHRASES: Record<PresenceActivity, string> = {
  viewing: 'viewing',
  deciding: 'writing a decision',
  requesting: 'writing an evidence request',
  proposing: 'publishing resolutions',
};
