import { Alert, Badge, Box, CloseButton, Divider, Group, Loader, ScrollArea, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { Countdown } from '../components/Countdown';
import { StatusBadge } from '../components/StatusBadge';
import { CurrencyContext, ValueView } from '../components/ValueView';
import { formatInstant, humanize } from '../format';
import { useQuery } from '../hooks';
import type { CaseView } from '../types';

/** Sections in reading order; anything else the core sends is shown under "Other". */
const SECTIONS: Array<[key: string, title: string]> = [
  ['order', 'Order'],
  ['claim', 'Claim'],
  ['description', 'Description'],
  ['buyer', 'Buyer'],
  ['buyerRisk', 'Buyer fraud-pattern score'],
  ['seller', 'Seller'],
  ['negotiation', 'Negotiation before escalation'],
  ['negotiationWarnings', 'Warnings about the negotiation'],
  ['messages', 'Messages'],
  ['evidenceRequests', 'Evidence requests'],
  ['evidence', 'Evidence'],
  ['proposal', 'Proposal'],
  ['decision', 'Decision'],
  ['previousDecisions', 'Earlier decisions'],
  ['appeal', 'Appeal'],
  ['refund', 'Refund'],
  ['events', 'Event log'],
];
/** Shown in the headline (or the deadlines table), not as sections. */
const HEADLINE = new Set(['id', 'status', 'reason', 'assignee', 'escalatedAt', 'openedAt', 'forcedDecision', 'deadlines']);

interface Deadline {
  key?: string;
  kind?: string;
  dueAt?: string;
  whenPassed?: unknown;
}

interface Props {
  caseId: string;
  onClose: () => void;
  refreshKey: number;
}

export function CaseDetail({ caseId, onClose, refreshKey }: Props) {
  const query = useQuery('case.get', { caseId });
  const { reload } = query;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else reload();
  }, [refreshKey, reload]);

  return (
    <Stack gap={0} h="100%" data-testid="case-detail">
      <Group justify="space-between" px="md" py="xs" wrap="nowrap">
        <Title order={4} ff="monospace">
          {caseId}
        </Title>
        <CloseButton aria-label="Close case" onClick={onClose} />
      </Group>
      <Divider />
      <ScrollArea style={{ flex: 1 }} px="md" py="sm">
        {query.error ? (
          <Alert color="red" variant="light" title="The case could not be loaded">
            {query.error.message}
          </Alert>
        ) : !query.data ? (
          <Group justify="center" p="xl">
            <Loader size="sm" />
          </Group>
        ) : (
          <CaseBody view={query.data} />
        )}
      </ScrollArea>
    </Stack>
  );
}

function CaseBody({ view }: { view: CaseView }) {
  const order = view.order as { currency?: unknown } | undefined;
  const currency = typeof order?.currency === 'string' ? order.currency : null;
  const text = (key: string) => (typeof view[key] === 'string' ? (view[key] as string) : null);
  const status = text('status');
  const reason = text('reason');
  const deadlines = (Array.isArray(view.deadlines) ? (view.deadlines as Deadline[]) : []).filter((d) => typeof d?.dueAt === 'string');
  const nextDue = deadlines.map((d) => d.dueAt as string).sort((a, b) => Date.parse(a) - Date.parse(b))[0] ?? null;
  const known = new Set(SECTIONS.map(([key]) => key));
  const other = Object.fromEntries(Object.entries(view).filter(([key, v]) => !known.has(key) && !HEADLINE.has(key) && v !== null));

  return (
    <CurrencyContext.Provider value={currency}>
      <Stack gap="md" pb="xl">
        <Group gap="sm">
          {status && <StatusBadge status={status} />}
          {view.forcedDecision === true && (
            <Badge color="red" variant="outline" size="sm" radius="sm" style={{ textTransform: 'none' }}>
              Forced decision
            </Badge>
          )}
          {reason && <Text size="sm">{humanize(reason)}</Text>}
        </Group>
        <Group gap="xl" align="flex-start">
          <Field label="Assignee">
            <ValueView value={view.assignee} />
          </Field>
          <Field label="Opened">
            <ValueView value={view.openedAt} />
          </Field>
          <Field label="Escalated">
            <ValueView value={view.escalatedAt} />
          </Field>
          <Field label="Next deadline">
            <Countdown at={nextDue} />
          </Field>
        </Group>
        {deadlines.length > 0 && (
          <Section title="Open deadlines">
            <Table withTableBorder verticalSpacing={4} horizontalSpacing="xs" fz="xs">
              <Table.Tbody>
                {deadlines.map((d, n) => (
                  <Table.Tr key={d.key ?? n}>
                    <Table.Td>{d.kind ? humanize(d.kind) : '—'}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatInstant(d.dueAt)}</Table.Td>
                    <Table.Td>
                      <Countdown at={d.dueAt} size="xs" />
                    </Table.Td>
                    <Table.Td>
                      <ValueView value={d.whenPassed} depth={1} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Section>
        )}
        {SECTIONS.filter(([key]) => view[key] !== undefined && view[key] !== null).map(([key, title]) => (
          <Section key={key} title={title}>
            <ValueView value={view[key]} name={key} />
          </Section>
        ))}
        {Object.keys(other).length > 0 && (
          <Section title="Other">
            <ValueView value={other} />
          </Section>
        )}
      </Stack>
    </CurrencyContext.Provider>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section>
      <Text size="xs" fw={700} tt="uppercase" c="dimmed" mb={4}>
        {title}
      </Text>
      <Box fz="sm">{children}</Box>
    </section>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}
