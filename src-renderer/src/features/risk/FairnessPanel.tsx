import { Alert, Paper, Table, Text, Title } from '@mantine/core';
import { useMethodQuery } from '../../api/queries';

const DIMENSION: Record<string, string> = { country: 'Country', accountAge: 'Account age', orderVolume: 'Orders' };
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/**
 * The fairness monitor under the analysts' list: per country, account age and order volume,
 * the mean score, the share scoring high and the flag / clear rates, with a warning naming
 * the test when a group stands out from the other buyers.
 */
export function FairnessPanel({ active }: { active: boolean }) {
  const q = useMethodQuery('risk.fairness', {}, { enabled: active });
  if (q.error)
    return (
      <Text c="red" fz="sm" mt="md">
        {q.error.message}
      </Text>
    );
  if (!q.data) return null;
  const { groups, highScore, rule, scoresModel } = q.data;
  const flagged = groups.filter((g) => g.warnings.length > 0);
  return (
    <Paper withBorder radius="md" p="md" mt="lg" data-testid="fairness-panel">
      <Title order={5}>Fairness monitor</Title>
      {/* Which model computed the scores, when it is not this desk's (a team upgrading its desks). */}
      {scoresModel.note && (
        <Alert color="gray" variant="light" mb="xs" p="xs" data-testid="fairness-model">
          <Text fz="xs">{scoresModel.note}</Text>
        </Alert>
      )}
      <Text fz="xs" c="dimmed" mb="sm">
        {rule}
      </Text>
      {flagged.length === 0 ? (
        <Text fz="sm" c="dimmed" mb="sm" data-testid="fairness-ok">
          No group stands out.
        </Text>
      ) : (
        flagged.map((g) => (
          <Alert key={`${g.dimension}:${g.group}`} color="orange" variant="light" mb="xs" p="xs" data-testid="fairness-warning">
            <Text fz="sm" fw={500}>
              {DIMENSION[g.dimension]}: {g.group} ({g.members} buyers)
            </Text>
            {g.warnings.map((w) => (
              <Text key={w} fz="xs">
                {w}
              </Text>
            ))}
          </Alert>
        ))
      )}
      {/* Six short columns: as wide as the panel, at 1920 × 1080 they held 490 px of figures in 1,850. */}
      <Table verticalSpacing={4} fz="xs" maw={900} data-testid="fairness-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Group</Table.Th>
            <Table.Th ta="right">Buyers</Table.Th>
            <Table.Th ta="right">Mean score</Table.Th>
            <Table.Th ta="right">Score {highScore}+</Table.Th>
            <Table.Th ta="right">Flagged</Table.Th>
            <Table.Th ta="right">Cleared</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {groups.map((g) => (
            <Table.Tr key={`${g.dimension}:${g.group}`} bg={g.warnings.length ? 'var(--mantine-color-orange-light)' : undefined}>
              <Table.Td>
                {DIMENSION[g.dimension]}: {g.group}
              </Table.Td>
              <Table.Td ta="right">{g.members}</Table.Td>
              <Table.Td ta="right">{g.meanScore.toFixed(1)}</Table.Td>
              <Table.Td ta="right">{pct(g.highShare)}</Table.Td>
              <Table.Td ta="right">{pct(g.flagRate)}</Table.Td>
              <Table.Td ta="right">{pct(g.clearRate)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
