import { Badge, Box, Button, Center, Group, Loader, NumberInput, Paper, SegmentedControl, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { usePagedQuery } from '../../api/paged';
import { RiskBadge } from '../../ui/RiskBadge';
import type { Me } from '../../api/types';
import { FairnessPanel } from './FairnessPanel';
import { LabelBadge } from './LabelBadge';

type LabelFilter = 'all' | 'serial_disputer' | 'cleared' | 'none';
const PAGE = 50;

/**
 * The analysts' landing screen: buyers by fraud-pattern score, highest first, a keyset page
 * at a time. Supervisors see it read-only (the flag controls are on the buyer page, analysts only).
 */
export function BuyersScreen({ me, onOpen, active }: { me: Me; onOpen: (buyerId: string) => void; active: boolean }) {
  const [minScore, setMinScore] = useState<number | ''>('');
  const [label, setLabel] = useState<LabelFilter>('all');
  // Reloads from the top when the filters change, when the data changed (a flag, an import) and when shown again.
  const list = usePagedQuery(
    'risk.list',
    { ...(minScore !== '' ? { minScore } : {}), ...(label !== 'all' ? { label } : {}) },
    { first: PAGE, page: PAGE, enabled: active },
  );
  const { rows, loading, hasMore, loadMore } = list;
  const error = list.error?.message ?? null;

  return (
    <Box p="md" style={{ height: '100%', overflow: 'auto' }} data-testid="buyers-screen">
      <Group justify="space-between" mb="md" align="flex-end">
        <div>
          <Title order={3}>Buyers by risk</Title>
          <Text fz="sm" c="dimmed">
            Fraud-pattern score 0–100, highest first.{' '}
            {me.role === 'analyst' ? 'Open a buyer to flag or clear the account.' : 'Read-only: analysts flag or clear accounts.'}
          </Text>
        </div>
        <Group gap="sm" align="flex-end">
          <NumberInput
            label="Min score"
            w={110}
            size="xs"
            min={0}
            max={100}
            allowDecimal={false}
            value={minScore}
            onChange={(v) => setMinScore(typeof v === 'number' ? Math.max(0, Math.min(100, v)) : '')}
            data-testid="min-score"
          />
          <div>
            <Text fz="xs" fw={500} mb={2}>
              Label
            </Text>
            <SegmentedControl
              size="xs"
              value={label}
              onChange={(v) => setLabel(v)}
              data={[
                { value: 'all', label: 'All' },
                { value: 'serial_disputer', label: 'Flagged' },
                { value: 'cleared', label: 'Cleared' },
                { value: 'none', label: 'No label' },
              ]}
              aria-label="Label filter"
            />
          </div>
        </Group>
      </Group>
      <Paper withBorder radius="md">
        <Table highlightOnHover verticalSpacing={6} fz="sm" data-testid="buyers-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={56}>#</Table.Th>
              <Table.Th>Buyer</Table.Th>
              <Table.Th w={80}>Country</Table.Th>
              <Table.Th w={80}>Score</Table.Th>
              <Table.Th w={130}>Label</Table.Th>
              <Table.Th>Top reason</Table.Th>
              <Table.Th w={150} ta="right" style={{ whiteSpace: 'nowrap' }}>
                Orders / disputes
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r, i) => (
              <Table.Tr
                key={r.buyerId}
                onClick={() => onOpen(r.buyerId)}
                style={{ cursor: 'pointer' }}
                data-testid="buyer-row"
                data-buyer={r.buyerId}
              >
                <Table.Td c="dimmed" className="tabular">
                  {i + 1}
                </Table.Td>
                <Table.Td>
                  {/* On one line: at 1024 × 700 names broke over two ("Yulia / Morozova") while Top reason ellipsised. */}
                  <Text fz="sm" fw={600} lh={1.3} style={{ whiteSpace: 'nowrap' }}>
                    {r.name}
                  </Text>
                  <Text fz="xs" c="dimmed" lh={1.3}>
                    {r.buyerId}
                  </Text>
                </Table.Td>
                <Table.Td>{r.country}</Table.Td>
                <Table.Td>
                  <RiskBadge score={r.score} flagged={r.label === 'serial_disputer'} />
                </Table.Td>
                <Table.Td>
                  <LabelBadge label={r.label} />
                </Table.Td>
                <Table.Td>
                  <Text fz="sm" lineClamp={1} title={r.reasons.join('\n')} c={r.topReason ? undefined : 'dimmed'}>
                    {r.topReason ?? 'No risk signals'}
                  </Text>
                </Table.Td>
                <Table.Td ta="right" className="tabular">
                  {r.orders} / {r.disputes}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {error && (
          <Text c="red" p="md" fz="sm">
            {error}
          </Text>
        )}
        {!loading && !error && rows.length === 0 && (
          <Center p="xl">
            <Text c="dimmed">No buyers match these filters.</Text>
          </Center>
        )}
        {loading && (
          <Center p="md">
            <Loader size="sm" />
          </Center>
        )}
        {!loading && hasMore && (
          <Center p="sm">
            <Button variant="default" size="xs" onClick={loadMore}>
              Load more
            </Button>
          </Center>
        )}
      </Paper>
      {rows.length > 0 && (
        <Text fz="xs" c="dimmed" mt="xs">
          {rows.length} buyer{rows.length === 1 ? '' : 's'} shown{hasMore ? ', more below' : ''}.{' '}
          <Badge component="span" size="xs" variant="light" color="gray" style={{ textTransform: 'none' }}>
            scores update with every event
          </Badge>
        </Text>
      )}
      <FairnessPanel active={active} />
    </Box>
  );
}
