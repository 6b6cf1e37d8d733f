import { Alert, Anchor, Badge, Group, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { Outcome } from '../../../../src-main/contract/domain';
import { useMethodQuery } from '../../api/queries';
import { TextRow } from '../../ui/FormParts';
import { Money } from '../../ui/Money';
import { formatDate, outcomeLabel } from '../../ui/format';

/**
 * The Decide dialog's consistency check: the nearest past decisions (same reason; delivery
 * status, amount band, evidence pattern, seller) with outcome and amount, and, when the
 * planned decision is far from them, the note the core requires before deciding.
 */
export function ConsistencyBox({
  caseId,
  outcome,
  amountMinor,
  note,
  onNote,
}: {
  caseId: string;
  outcome: Outcome;
  amountMinor: number | null;
  note: string;
  onNote: (text: string) => void;
}) {
  const { data } = useConsistency(caseId, outcome, amountMinor);
  // Folded to a summary line (how the nearest ones were decided) so the dialog stays short, far
  // or not: the explanation and the note say what matters; the table opens on request.
  const [unfolded, setUnfolded] = useState(false);
  if (!data) return null;
  const shown = unfolded;
  return (
    <Stack gap={6} data-testid="consistency">
      <Group gap="xs" justify="space-between" wrap="nowrap">
        <Text fz="sm" lh={1.3} style={{ minWidth: 0 }}>
          <Text span inherit fw={500}>
            Nearest past decisions
          </Text>
          {data.nearest.length > 0 && (
            <Text span fz="xs" c="dark.4" data-testid="consistency-summary">
              {' '}
              · {summary(data.nearest)}
            </Text>
          )}
        </Text>
        {data.nearest.length > 0 && (
          <Anchor
            component="button"
            type="button"
            fz="xs"
            onClick={() => setUnfolded((v) => !v)}
            aria-expanded={shown}
            style={{ whiteSpace: 'nowrap' }}
            data-testid="consistency-toggle"
          >
            {shown ? 'Hide' : `Show ${data.nearest.length}`}
          </Anchor>
        )}
      </Group>
      {shown && data.nearest.length > 0 && (
        <Table fz="xs" verticalSpacing={2} aria-label="Nearest past decisions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Case</Table.Th>
              <Table.Th>Outcome</Table.Th>
              <Table.Th>Alike in</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.nearest.map((n) => (
              <Table.Tr key={n.caseId} data-testid="near-decision">
                <Table.Td className="mono">{n.caseId}</Table.Td>
                <Table.Td>
                  {outcomeLabel(n.outcome)} <Money minor={n.amountMinor} currency={n.currency} fz="xs" c="dark.4" />
                  <Text span fz="xs" c="dark.4">
                    {' '}
                    · {formatDate(n.decidedAt)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={2}>
                    {n.matches
                      .filter((m) => m !== 'reason')
                      .map((m) => (
                        <Badge key={m} size="xs" variant="outline" color="dark.5" radius="sm" style={{ textTransform: 'none' }}>
                          {m}
                        </Badge>
                      ))}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Text fz="xs" c={data.far ? 'red.9' : 'dark.4'} fw={data.far ? 500 : undefined} data-testid="consistency-explanation">
        {data.explanation}
      </Text>
      {data.far && (
        <Alert color="orange" variant="light" p="xs" data-testid="consistency-far">
          <TextRow
            label="Consistency note (internal)"
            description="This decision differs from the nearest past ones: say why. Kept as an internal note, never in the letters."
            value={note}
            onChange={onNote}
            maxRows={5}
            required
            data-testid="consistency-note"
          />
        </Alert>
      )}
    </Stack>
  );
}

/** How the nearest past decisions went, most common outcome first: "3 × full refund · 2 × no refund". */
function summary(nearest: Array<{ outcome: Outcome }>): string {
  const counts = new Map<Outcome, number>();
  for (const n of nearest) counts.set(n.outcome, (counts.get(n.outcome) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([o, n]) => `${n} × ${outcomeLabel(o).toLowerCase()}`)
    .join(' · ');
}

/** The consistency check of a planned decision (one query: the box and the dialog's submit guard share it). */
export function useConsistency(caseId: string, outcome: Outcome, amountMinor: number | null) {
  return useMethodQuery(
    'case.consistency',
    { caseId, outcome, ...(outcome === 'partial' && amountMinor !== null ? { amountMinor } : {}) },
    { keepPrevious: true },
  );
}
