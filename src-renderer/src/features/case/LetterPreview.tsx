import { Badge, Group, SimpleGrid, Tabs, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import { decisionLetter, LANGUAGE_NAMES, type PartyLetter } from '../../../../src-main/contract/i18n';
import { DEFAULT_POLICY } from '../../../../src-main/contract/policy';
import type { Outcome } from '../../../../src-main/contract/domain';
import { useMethodQuery } from '../../api/queries';
import type { CaseView } from '../../api/types';
import { useNow } from '../../ui/clock';

const MINUTE = 60_000;

/**
 * The two decision letters as the parties will read them, each in its party's language
 * beside the English text the mediator can check. Rendered by the same catalog code that
 * main uses to write them into the outbox; only the appeal deadline is estimated here (from
 * this minute), since the decision's own instant is fixed when it is recorded.
 */
export function LetterPreview({
  view,
  outcome,
  amountMinor,
  reasons,
}: {
  view: CaseView;
  outcome: Outcome;
  amountMinor: number | null;
  reasons: string;
}) {
  const [tab, setTab] = useState<string | null>('buyer');
  const policy = useMethodQuery('policy.get', {}).data?.policy ?? DEFAULT_POLICY;
  const minute = Math.floor(useNow() / MINUTE) * MINUTE;
  const letters = useMemo(() => {
    const facts = {
      outcome,
      amountMinor,
      reasons: { text: reasons.trim() || '(the reasons you write appear here)' },
      appealUntil: new Date(minute + policy.appealWindowHours * 3_600_000).toISOString(),
      returnDueAt: outcome === 'return' ? new Date(minute + policy.returnShipmentHours * 3_600_000).toISOString() : null,
      appealWindowHours: policy.appealWindowHours,
      returnShipmentHours: policy.returnShipmentHours,
    };
    const of = (party: 'buyer' | 'seller') => ({
      local: decisionLetter(view, party, facts),
      english: decisionLetter(view, party, facts, { language: 'en' }),
    });
    return { buyer: of('buyer'), seller: of('seller') };
  }, [view, outcome, amountMinor, reasons, minute, policy.appealWindowHours, policy.returnShipmentHours]);

  return (
    <div>
      <Text fz="sm" fw={500} mb={4}>
        Letters the parties receive
      </Text>
      <Tabs value={tab} onChange={setTab} variant="outline">
        {/* The tabs name the party only, so they stay on one row at any width; the name heads the letter. */}
        <Tabs.List>
          {(['buyer', 'seller'] as const).map((p) => (
            <Tabs.Tab key={p} value={p}>
              To the {p}
              {letters[p].local.language !== 'en' && (
                <Badge ml={6} size="xs" variant="light">
                  {LANGUAGE_NAMES[letters[p].local.language]}
                </Badge>
              )}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {(['buyer', 'seller'] as const).map((p) => (
          <Tabs.Panel key={p} value={p} pt="xs">
            <Text fz="xs" c="dimmed" mb={4} data-testid={`letter-${p}-to`}>
              To{' '}
              <Text span fz="xs" fw={600} c="dark">
                {view[p].name}
              </Text>
              , the {p}
            </Text>
            {letters[p].local.language === 'en' ? (
              <LetterText letter={letters[p].english} testId={`letter-${p}`} />
            ) : (
              <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="sm">
                <LetterText
                  letter={letters[p].local}
                  testId={`letter-${p}-local`}
                  caption={`As sent, in ${LANGUAGE_NAMES[letters[p].local.language]}`}
                />
                <LetterText letter={letters[p].english} testId={`letter-${p}`} caption="The same letter in English, for you" />
              </SimpleGrid>
            )}
          </Tabs.Panel>
        ))}
      </Tabs>
    </div>
  );
}

function LetterText({ letter, testId, caption }: { letter: PartyLetter; testId: string; caption?: string }) {
  return (
    <div>
      {caption && (
        <Group gap={6} mb={2}>
          <Text fz="xs" c="dimmed" fw={600}>
            {caption}
          </Text>
        </Group>
      )}
      <Text fz="xs" c="dimmed" mb={4}>
        Subject:{' '}
        <Text span fz="xs" fw={600} c="dark" lang={letter.language}>
          {letter.subject}
        </Text>
      </Text>
      {/* The letter scrolls inside its box, so the box takes focus for reading it by keyboard. */}
      <div
        className="letter"
        data-testid={testId}
        lang={letter.language}
        tabIndex={0}
        role="region"
        aria-label={`Letter: ${letter.subject}`}
      >
        {letter.body}
      </div>
    </div>
  );
}
