import {
  ActionIcon,
  Box,
  Button,
  Center,
  Group,
  Loader,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
  Tooltip,
} from '@mantine/core';
import { useState } from 'react';
import { useMethodMutation, useMethodQuery } from '../../api/queries';
import { Money } from '../../ui/Money';
import { RiskBadge } from '../../ui/RiskBadge';
import { Fact, Section } from '../../ui/Section';
import { StatusBadge } from '../../ui/StatusBadge';
import { useToast } from '../../ui/Toast';
import { formatDate, formatInstant, outcomeLabel, reasonLabel, riskColor } from '../../ui/format';
import type { BuyerDetailView, Me } from '../../api/types';
import { DisputesChart, LinkGraph } from './charts';
import { LabelBadge } from './LabelBadge';
import { summaryReasons } from '../case/panels/riskSummaryText';

/**
 * One buyer for analysts (and, read-only, supervisors): the score with every reason, disputes
 * and outcomes over time, linked accounts, the buyer's cases, and the flag / clear controls.
 */
export function BuyerScreen({
  buyerId,
  me,
  onBack,
  onOpenCase,
  onOpenBuyer,
}: {
  buyerId: string;
  me: Me;
  onBack: () => void;
  onOpenCase: (caseId: string) => void;
  onOpenBuyer: (buyerId: string) => void;
}) {
  const query = useMethodQuery('risk.get', { buyerId });
  const view = query.data;
  const error = query.error?.message ?? null;

  if (error)
    return (
      <Center h="100%">
        <Stack align="center">
          <Text c="red">{error}</Text>
          <Button variant="default" onClick={onBack}>
            Back to the list
          </Button>
        </Stack>
      </Center>
    );
  if (!view)
    return (
      <Center h="100%">
        <Loader />
      </Center>
    );
  const b = view.buyer;

  return (
    <Box p="md" style={{ height: '100%', overflow: 'auto' }} data-testid="buyer-screen">
      <Group mb="md" gap="sm" wrap="nowrap">
        <Tooltip label="Back to buyers by risk" openDelay={300}>
          <ActionIcon variant="default" size="lg" onClick={onBack} aria-label="Back to buyers by risk">
            ←
          </ActionIcon>
        </Tooltip>
        <div>
          <Group gap="sm">
            <Title order={3} data-testid="buyer-name">
              {b.name}
            </Title>
            <RiskBadge score={view.risk.score} flagged={b.label === 'serial_disputer'} size="lg" />
            <span data-testid="buyer-label">{b.label ? <LabelBadge label={b.label} /> : null}</span>
          </Group>
          <Text fz="sm" c="dimmed">
            {b.id} · {b.country} · account since {formatDate(b.createdAt)}
          </Text>
        </div>
      </Group>

      {/* Two columns from 1200 px; from 1800 the cases go under the chart beside the score (below
          both, at 1920 × 1080 their table was 65 % blank, the status 750 px from the reason). */}
      <div className="buyer-grid">
        <Stack gap="md" className="buyer-grid-left">
          <Section title="Fraud-pattern score" testId="buyer-reasons">
            <Box p="sm" bg={`${riskColor(view.risk.score)}.0`} style={{ borderRadius: 'var(--mantine-radius-sm)' }}>
              <Text fw={700} mb={6}>
                Score {view.risk.score}/100
              </Text>
              {view.risk.details.length ? (
                <Stack gap={4}>
                  {/* Read as one list: the context every sign of intent ends with, said once. */}
                  {withContextOnce(view.risk.details).map((r) => (
                    <Group key={r.code + r.text} gap="xs" wrap="nowrap" align="flex-start">
                      <Box
                        mt={7}
                        w={7}
                        h={7}
                        style={{
                          borderRadius: 4,
                          flexShrink: 0,
                          background: r.weight > 0 ? `var(--mantine-color-${riskColor(view.risk.score)}-6)` : 'var(--mantine-color-gray-4)',
                        }}
                      />
                      <Text fz="sm">{r.text}</Text>
                    </Group>
                  ))}
                </Stack>
              ) : (
                <Text fz="sm" c="dimmed">
                  No risk signals.
                </Text>
              )}
            </Box>
            <Text fz="xs" c="dimmed" mt="xs">
              The score never acts by itself: a flag adds friction (evidence first), never an automatic loss.
            </Text>
          </Section>

          {me.role === 'analyst' ? <FlagControls view={view} /> : null}

          <Section title="Label history" testId="label-history">
            {b.label && (
              <SimpleGrid cols={3} mb="xs">
                <Fact label="Current label">
                  <LabelBadge label={b.label} />
                </Fact>
                <Fact label="By">{b.labelledBy ?? '—'}</Fact>
                <Fact label="At">{formatInstant(b.labelledAt)}</Fact>
              </SimpleGrid>
            )}
            {view.labelHistory.length ? (
              <Stack gap={6}>
                {view.labelHistory.map((h, i) => (
                  <Group key={i} gap="sm" wrap="nowrap" align="flex-start">
                    <Box style={{ flexShrink: 0 }}>
                      <LabelBadge label={h.label} />
                    </Box>
                    <div style={{ minWidth: 0 }}>
                      <Text fz="sm">{h.note}</Text>
                      <Text fz="xs" c="dimmed">
                        {h.by} · {formatInstant(h.at)}
                      </Text>
                    </div>
                  </Group>
                ))}
              </Stack>
            ) : (
              <Text fz="sm" c="dimmed">
                Never labelled.
              </Text>
            )}
          </Section>
        </Stack>

        <Stack gap="md" className="buyer-grid-right">
          <Section title="Disputes and outcomes by month" testId="disputes-chart">
            <DisputesChart cases={view.cases} />
          </Section>
          <Section title={`Linked accounts (${view.linked.length})`} testId="linked-accounts">
            <LinkGraph
              buyer={{ id: b.id, name: b.name, score: view.risk.score, label: b.label }}
              linked={view.linked}
              linkGroupLimit={view.linkGroupLimit}
              onOpen={onOpenBuyer}
            />
          </Section>
        </Stack>

        <Box className="buyer-grid-cases">
          <Section title={`Cases (${view.cases.length}${view.cases.length >= 200 ? ', newest 200' : ''})`} testId="buyer-cases">
            {/* Six short columns, no wider than 1,100 px: under both columns at 1440 × 900 a buyer's three
                cases took 1,374 px, 63 % of it blank. */}
            <Table highlightOnHover verticalSpacing={4} fz="sm" maw={1100} data-testid="buyer-cases-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={110}>Case</Table.Th>
                  <Table.Th>Reason</Table.Th>
                  <Table.Th w={150}>Status</Table.Th>
                  <Table.Th w={130} ta="right">
                    Claim
                  </Table.Th>
                  <Table.Th>Outcome</Table.Th>
                  <Table.Th w={120}>Opened</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {view.cases.map((c) => (
                  <Table.Tr key={c.id} onClick={() => onOpenCase(c.id)} style={{ cursor: 'pointer' }} data-testid="buyer-case-row">
                    <Table.Td fw={600}>{c.id}</Table.Td>
                    <Table.Td>{reasonLabel(c.reason)}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={c.status} />
                    </Table.Td>
                    <Table.Td ta="right">
                      <Money minor={c.claimAmountMinor} currency={c.currency} fz="sm" />
                    </Table.Td>
                    <Table.Td c={c.outcome ? undefined : 'dimmed'}>{c.outcome ? outcomeLabel(c.outcome) : '—'}</Table.Td>
                    <Table.Td>{formatDate(c.openedAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Section>
        </Box>
      </div>
    </Box>
  );
}

/** Flag or clear the account; the page (and the list) refetch once the core took it. */
function FlagControls({ view }: { view: BuyerDetailView }) {
  const [note, setNote] = useState('');
  const flag = useMethodMutation('account.flag');
  const busy = flag.isPending ? (flag.variables?.label ?? null) : null;
  const [error, setError] = useState<string | null>(null);
  const toast = useToast();
  const submit = async (label: 'serial_disputer' | 'cleared') => {
    if (!note.trim()) return setError('A note is required: say what the label rests on.');
    const r = await flag.mutateAsync({ accountId: view.buyer.id, label, note: note.trim() });
    if (!r.ok) return setError(r.error.message);
    setError(null);
    setNote('');
    toast({
      message: `${view.buyer.name} is now ${label === 'serial_disputer' ? 'flagged as a serial disputer' : 'cleared'}.`,
      color: 'teal',
    });
  };
  return (
    <Paper withBorder radius="md" p="md" data-testid="flag-controls" component="section" aria-label="Flag or clear">
      <Text fz="xs" fw={700} tt="uppercase" c="dimmed" mb="sm" style={{ letterSpacing: '0.04em' }}>
        Flag or clear this account
      </Text>
      <Textarea
        label="Note (required)"
        placeholder="What the decision rests on, for the mediators who will see it on this buyer's cases"
        autosize
        minRows={2}
        maxRows={6}
        maxLength={2000}
        value={note}
        onChange={(e) => {
          setNote(e.currentTarget.value);
          if (error) setError(null);
        }}
        error={error}
      />
      <Group mt="sm" gap="sm">
        <Button color="red" onClick={() => void submit('serial_disputer')} loading={busy === 'serial_disputer'} disabled={busy !== null}>
          Flag as serial disputer
        </Button>
        <Button variant="default" onClick={() => void submit('cleared')} loading={busy === 'cleared'} disabled={busy !== null}>
          Clear
        </Button>
        <Text fz="xs" c="dimmed">
          Shown on every one of this buyer's cases{view.cases.length ? ` (${view.cases.length})` : ''}.
        </Text>
      </Group>
    </Paper>
  );
}

/** The reasons' texts with the shared context sentence kept on the first that carries it. */
function withContextOnce<T extends { text: string }>(details: readonly T[]): T[] {
  const texts = summaryReasons(
    details.map((d) => d.text),
    details.length,
  );
  return details.map((d, i) => ({ ...d, text: texts[i]! }));
}
