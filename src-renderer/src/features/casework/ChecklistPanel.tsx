import { Group, List, SimpleGrid, Stack, Text } from '@mantine/core';
import type { ChecklistView, EvidenceStrength } from '../../../../src-main/contract/casework';
import type { Party } from '../../../../src-main/contract/domain';
import { useMethodQuery } from '../../api/queries';
import { Section } from '../../ui/Section';

/** The dot's colour (the words carry the meaning; dark text keeps the contrast). */
const LEVEL_COLOR: Record<EvidenceStrength['level'], string> = { weak: 'red-7', moderate: 'orange-5', strong: 'teal-7' };

/** Each side's evidence strength with the sentences that explain it (beside the recommendation). */
export function StrengthSummary({ checklist }: { checklist: ChecklistView }) {
  return (
    <SimpleGrid cols={2} spacing="sm" data-testid="evidence-strength">
      {(['buyer', 'seller'] as Party[]).map((party) => {
        const s = checklist.strength[party];
        return (
          <div key={party} data-testid={`strength-${party}`}>
            <Group gap={6} wrap="nowrap">
              <Text fz="sm" fw={600} tt="capitalize">
                {party}
              </Text>
              <Text span fz="xs" fw={700} c="dark.7" style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
                <span
                  aria-hidden
                  style={{ width: 8, height: 8, borderRadius: 4, background: `var(--mantine-color-${LEVEL_COLOR[s.level]})` }}
                />
                {s.level} evidence · {s.score}/100
              </Text>
            </Group>
            {s.sentences.map((t) => (
              <Text key={t} fz="xs" c="dark.5" mt={2}>
                {t}
              </Text>
            ))}
          </div>
        );
      })}
    </SimpleGrid>
  );
}

/**
 * The evidence checklist of the case's reason, ticked from the intake facts: what each side
 * has sent and what is missing, and each side's evidence strength.
 */
export function ChecklistPanel({ caseId }: { caseId: string }) {
  const { data } = useMethodQuery('case.checklist', { caseId });
  if (!data) return null;
  return (
    <Section title="Evidence checklist" testId="checklist-panel">
      <Stack gap="sm">
        <StrengthSummary checklist={data} />
        <List spacing={4} size="sm" listStyleType="none" aria-label="Evidence this reason needs">
          {data.items.map((i) => (
            <List.Item key={`${i.party}-${i.key}`} data-testid="checklist-item" data-present={i.present} data-key={i.key}>
              <Group gap={6} wrap="nowrap" align="flex-start">
                <Text span fz="sm" fw={700} c={i.present ? 'teal.8' : 'red.8'} aria-hidden style={{ width: 14, flexShrink: 0 }}>
                  {i.present ? '✓' : '✗'}
                </Text>
                <div style={{ minWidth: 0 }}>
                  <Text fz="sm">
                    <Text span inherit fw={500}>
                      {i.label}
                    </Text>{' '}
                    <Text span inherit c="dark.4">
                      ({i.party}, {i.present ? 'present' : 'missing'})
                    </Text>
                  </Text>
                  <Text fz="xs" c="dark.4">
                    {i.detail}
                  </Text>
                </div>
              </Group>
            </List.Item>
          ))}
        </List>
      </Stack>
    </Section>
  );
}
