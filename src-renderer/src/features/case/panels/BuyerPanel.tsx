import { Badge, Box, Group, List, Text } from '@mantine/core';
import { RiskBadge } from '../../../ui/RiskBadge';
import { Section } from '../../../ui/Section';
import { humanize, riskColor } from '../../../ui/format';
import { useNow } from '../../../ui/clock';
import type { CaseView } from '../../../api/types';
import { PartyFacts, PartyHead } from './PartyParts';
import { summaryReasons } from './riskSummaryText';

export function BuyerPanel({ view }: { view: CaseView }) {
  const now = useNow();
  const b = view.buyer;
  const risk = view.buyerRisk;
  const flagged = b.label === 'serial_disputer';
  return (
    <Section
      title="Buyer"
      testId="buyer-panel"
      extra={
        b.label ? (
          <Badge
            color={flagged ? 'red' : 'teal'}
            variant={flagged ? 'filled' : 'light'}
            size="sm"
            radius="sm"
            style={{ textTransform: 'none' }}
          >
            {flagged ? 'Flagged: serial disputer' : `Analyst: ${humanize(b.label)}`}
          </Badge>
        ) : undefined
      }
    >
      <PartyHead name={b.name} id={b.id} country={b.country} />
      <PartyFacts createdAt={b.createdAt} history={b.history} now={now} my="sm" />
      <Box p="sm" bg={`${riskColor(risk.score)}.0`} style={{ borderRadius: 'var(--mantine-radius-sm)' }} data-testid="buyer-risk">
        <Group gap="sm" mb={risk.reasons.length ? 6 : 0} wrap="nowrap">
          <RiskBadge score={risk.score} flagged={flagged} size="lg" />
          <div>
            <Text fz="sm" fw={600}>
              Fraud-pattern score {risk.score}/100
            </Text>
            <Text fz="xs" c="dimmed">
              Shown for judgement; it never decides a case.
            </Text>
          </div>
        </Group>
        {risk.reasons.length > 0 ? (
          <List size="sm" spacing={2} withPadding>
            {/* Read as one list: the context every sign of intent ends with, said once. */}
            {summaryReasons(risk.reasons, risk.reasons.length).map((r) => (
              <List.Item key={r}>{r}</List.Item>
            ))}
          </List>
        ) : (
          <Text fz="xs" c="dimmed" mt={4}>
            No risk signals.
          </Text>
        )}
      </Box>
      {b.labelNote && (
        <Text fz="sm" mt="sm">
          <Text span c="dimmed" fz="xs">
            Analyst note:{' '}
          </Text>
          {b.labelNote}
        </Text>
      )}
    </Section>
  );
}
