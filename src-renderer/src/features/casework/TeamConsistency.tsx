import { Table, Text } from '@mantine/core';
import { useMethodQuery } from '../../api/queries';
import { Section } from '../../ui/Section';

/** Per mediator: how often their decisions got the outcome most decisions of the same kind got. */
export function TeamConsistency({ days, active }: { days: number; active: boolean }) {
  const { data } = useMethodQuery('team.consistency', { days }, { enabled: active });
  if (!data) return null;
  return (
    <Section title={`Decision consistency · last ${data.days} days`} testId="team-consistency">
      <Text fz="xs" c="dimmed" mb="xs">
        A decision agrees when it got the outcome most of the team’s decisions of the same reason, delivery status and claim band got.
      </Text>
      {/* Four short columns: as wide as the card, at 1440 × 900 they held 440 px of text in 1,370. */}
      <Table fz="sm" verticalSpacing={4} maw={800} aria-label="Decision consistency per mediator" data-testid="team-consistency-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Mediator</Table.Th>
            <Table.Th ta="right">Compared decisions</Table.Th>
            <Table.Th ta="right">Agreeing</Table.Th>
            <Table.Th ta="right">Consistency</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data.members.map((m) => (
            <Table.Tr key={m.userId} data-testid="consistency-row" data-user-id={m.userId}>
              <Table.Td>{m.name}</Table.Td>
              <Table.Td ta="right" className="tabular">
                {m.decisions}
              </Table.Td>
              <Table.Td ta="right" className="tabular">
                {m.agreeing}
              </Table.Td>
              <Table.Td ta="right" className="tabular" c={m.rate !== null && m.rate < 0.6 ? 'red.8' : undefined} fw={500}>
                {m.rate === null ? '—' : `${Math.round(m.rate * 100)} %`}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Section>
  );
}
