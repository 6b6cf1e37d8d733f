import { Section } from '../../../ui/Section';
import { useNow } from '../../../ui/clock';
import type { CaseView } from '../../../api/types';
import { PartyFacts, PartyHead } from './PartyParts';

export function SellerPanel({ view }: { view: CaseView }) {
  const now = useNow();
  const s = view.seller;
  return (
    <Section title="Seller" testId="seller-panel">
      <PartyHead name={s.name} id={s.id} country={s.country} />
      <PartyFacts createdAt={s.createdAt ?? null} history={s.history} now={now} mt="sm" />
    </Section>
  );
}
