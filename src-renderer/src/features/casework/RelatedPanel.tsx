import { Button, Table, Text, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import type { RelationKind } from '../../../../src-main/contract/casework';
import type { AppError } from '../../../../src-main/contract/errors';
import { useMethodMutation, useMethodQuery } from '../../api/queries';
import type { Me } from '../../api/types';
import { Refusal } from '../../ui/FormParts';
import { Money } from '../../ui/Money';
import { Section } from '../../ui/Section';
import { useToast } from '../../ui/Toast';
import { outcomeLabel, reasonLabel, STATUS_LABELS } from '../../ui/format';
import { AssignMenu } from '../supervision/AssignMenu';

const VIA_LABEL: Record<RelationKind, string> = {
  buyer: 'same buyer',
  seller: 'same seller',
  device: 'shared device',
  address: 'shared address',
  payment: 'shared payment',
  tracking: 'same tracking number',
  photo: 'same photo',
};

/**
 * Cases sharing the buyer, the seller, a device / address / payment link, the tracking number
 * or a photo cluster, with their state and outcome. A supervisor assigns the open, unclaimed
 * ones of the cluster (this case included) to one person.
 */
export function RelatedPanel({ caseId, me, onOpen }: { caseId: string; me: Me; onOpen: (caseId: string) => void }) {
  const { data } = useMethodQuery('case.related', { caseId });
  const supervisor = me.role === 'supervisor';
  const team = useMethodQuery('team.overview', supervisor ? { days: 7 } : null);
  const assign = useMethodMutation('case.assignCluster');
  const toast = useToast();
  const [error, setError] = useState<AppError | null>(null);
  // A busy seller has many cases: those that share nothing else wait behind a button.
  const [showSellerOnly, setShowSellerOnly] = useState(false);
  if (!data) return null;
  const sellerOnly = data.cases.filter((c) => c.via.length === 1 && c.via[0] === 'seller');
  const shown = showSellerOnly ? data.cases : data.cases.filter((c) => !sellerOnly.includes(c));

  async function assignTo(userId: string) {
    const r = await assign.mutateAsync({ caseId, userId });
    if (!r.ok) return setError(r.error);
    setError(null);
    const skipped = r.value.skipped.length ? `; ${r.value.skipped.map((s) => `${s.caseId} ${s.why}`).join(', ')}` : '';
    toast({
      message: `${r.value.caseIds.length} case${r.value.caseIds.length === 1 ? '' : 's'} assigned to ${userId}${skipped}.`,
      color: 'teal',
    });
  }

  return (
    <Section
      title={`Related cases (${data.cases.length}${data.truncated ? '+' : ''})`}
      testId="related-panel"
      extra={
        supervisor &&
        team.data &&
        data.assignable.length > 0 && (
          <AssignMenu
            members={team.data.members}
            label={`Assign cluster (${data.assignable.length})`}
            onPick={(u) => void assignTo(u)}
            loading={assign.isPending}
            testId="assign-cluster"
          />
        )
      }
    >
      {shown.length === 0 ? (
        <Text fz="sm" c="dimmed">
          {sellerOnly.length
            ? 'No other case shares the buyer, a link, the tracking number or a photo.'
            : 'No other case shares the buyer, the seller, a link, the tracking number or a photo.'}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          {/* Five short columns, no wider than 800 px: in the case's main column at 1920 × 1080 they took 1,190, 67 % blank. */}
          <Table fz="sm" verticalSpacing={4} highlightOnHover maw={800} aria-label="Related cases">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Case</Table.Th>
                <Table.Th>Shares</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Outcome</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((c) => (
                <Table.Tr key={c.caseId} data-testid="related-row" data-case-id={c.caseId}>
                  <Table.Td>
                    <UnstyledButton
                      onClick={() => onOpen(c.caseId)}
                      className="mono"
                      fz="sm"
                      c="indigo.8"
                      aria-label={`Open case ${c.caseId}`}
                    >
                      {c.caseId}
                    </UnstyledButton>
                  </Table.Td>
                  <Table.Td>
                    <Text fz="xs" c={c.via.includes('seller') && c.via.length === 1 ? 'dark.4' : 'grape.9'} fw={500}>
                      {c.via.map((v) => VIA_LABEL[v]).join(', ')}
                    </Text>
                  </Table.Td>
                  <Table.Td>{reasonLabel(c.reason)}</Table.Td>
                  <Table.Td>
                    <Text fz="sm">{STATUS_LABELS[c.status] ?? c.status}</Text>
                    {c.assignee && (
                      <Text fz="xs" c="dark.4">
                        {c.assignee}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {c.outcome ? (
                      <Text fz="sm">
                        {outcomeLabel(c.outcome)} <Money minor={c.amountMinor ?? 0} currency={c.currency} fz="xs" c="dark.4" />
                      </Text>
                    ) : (
                      <Text fz="xs" c="dark.4">
                        undecided
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {sellerOnly.length > 0 && (
        <Button size="compact-xs" variant="subtle" mt={6} onClick={() => setShowSellerOnly((v) => !v)} data-testid="related-seller-toggle">
          {showSellerOnly ? 'Hide the cases that share only the seller' : `Show ${sellerOnly.length} more that share only the seller`}
        </Button>
      )}
      <Refusal error={error} />
    </Section>
  );
}
