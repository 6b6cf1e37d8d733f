import { Alert, Button, Group, Loader, Table, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { Countdown } from '../components/Countdown';
import { StatusBadge } from '../components/StatusBadge';
import { formatInstant, formatInstantCompact, formatMoney, humanize } from '../format';
import { useQuery } from '../hooks';

export type QueueScope = 'unassigned' | 'mine' | 'all';

const PAGE = 50;
const MAX_LIMIT = 200;

interface Props {
  scope: QueueScope;
  selectedId: string | null;
  onSelect: (caseId: string) => void;
  /** Bumped by the shell when a change notice arrives. */
  refreshKey: number;
}

export function QueueTable({ scope, selectedId, onSelect, refreshKey }: Props) {
  const [limit, setLimit] = useState(PAGE);
  useEffect(() => setLimit(PAGE), [scope]);
  const queue = useQuery('queue.list', { scope, limit });

  const { reload } = queue;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else reload();
  }, [refreshKey, reload]);

  if (queue.error) {
    return (
      <Alert color="red" variant="light" title="The queue could not be loaded">
        {queue.error.message}
      </Alert>
    );
  }
  const rows = queue.data?.rows ?? [];
  if (!queue.data) {
    return (
      <Group justify="center" p="xl">
        <Loader size="sm" />
      </Group>
    );
  }
  if (rows.length === 0) {
    return (
      <Text c="dimmed" ta="center" p="xl" size="sm">
        {scope === 'mine' ? 'No open cases are assigned to you.' : 'The queue is empty.'}
      </Text>
    );
  }

  const showAssignee = scope !== 'unassigned';
  return (
    <>
      <Table.ScrollContainer minWidth={900}>
        <Table
          striped
          highlightOnHover
          stickyHeader
          verticalSpacing={6}
          horizontalSpacing="sm"
          fz="sm"
          styles={{ th: { whiteSpace: 'nowrap' } }}
          data-testid="queue-table"
        >
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Case</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Reason</Table.Th>
              <Table.Th ta="right">Claim</Table.Th>
              <Table.Th>Buyer</Table.Th>
              <Table.Th>Country</Table.Th>
              <Table.Th>Escalated</Table.Th>
              {showAssignee && <Table.Th>Assignee</Table.Th>}
              <Table.Th>Next deadline</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => {
              const selected = row.id === selectedId;
              return (
                <Table.Tr
                  key={row.id}
                  data-testid="queue-row"
                  aria-selected={selected}
                  tabIndex={0}
                  onClick={() => onSelect(row.id)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      onSelect(row.id);
                    }
                  }}
                  bg={selected ? 'var(--mantine-primary-color-light)' : undefined}
                  style={{ cursor: 'pointer' }}
                >
                  <Table.Td ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                    {row.id}
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={row.status} />
                  </Table.Td>
                  <Table.Td>{humanize(row.reason)}</Table.Td>
                  <Table.Td ta="right" style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
                    {formatMoney(row.claimAmountMinor, row.currency)}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={1} title={row.buyerId}>
                      {row.buyerName}
                    </Text>
                  </Table.Td>
                  <Table.Td>{row.buyerCountry}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }} title={formatInstant(row.escalatedAt)}>
                    {formatInstantCompact(row.escalatedAt)}
                  </Table.Td>
                  {showAssignee && <Table.Td>{row.assignee ?? <Text span c="dimmed">—</Text>}</Table.Td>}
                  <Table.Td>
                    <Countdown at={row.nextDeadlineAt} />
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between" px="sm" py="xs">
        <Text size="xs" c="dimmed">
          {rows.length} case{rows.length === 1 ? '' : 's'} shown
        </Text>
        {queue.data.nextCursor &&
          (limit < MAX_LIMIT ? (
            <Button variant="subtle" size="xs" onClick={() => setLimit((l) => Math.min(MAX_LIMIT, l + PAGE))} loading={queue.loading}>
              Show more
            </Button>
          ) : (
            <Text size="xs" c="dimmed">
              Showing the first {MAX_LIMIT}; claim or close cases to see more.
            </Text>
          ))}
      </Group>
    </>
  );
}
