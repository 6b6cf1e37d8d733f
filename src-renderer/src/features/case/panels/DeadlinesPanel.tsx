import { Group, Stack, Text } from '@mantine/core';
import { Countdown } from '../../../ui/Countdown';
import { Section } from '../../../ui/Section';
import { formatInstant, humanize } from '../../../ui/format';
import type { CaseView } from '../../../api/types';

const DEADLINE_LABELS: Record<string, string> = {
  evidence: 'Evidence request',
  reply: 'Reply period',
  appeal: 'Appeal window',
  return: 'Return shipment',
};

export function DeadlinesPanel({ view }: { view: CaseView }) {
  if (!view.deadlines.length) return null;
  return (
    <Section title="Deadlines" testId="deadlines-panel">
      <Stack gap="sm">
        {view.deadlines.map((d) => (
          <div key={d.key} data-testid="deadline-row">
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <Text fz="sm" fw={600}>
                {DEADLINE_LABELS[d.kind] ?? humanize(d.kind)}
              </Text>
              <Countdown at={d.dueAt} />
            </Group>
            <Text fz="xs" c="dimmed">
              Due {formatInstant(d.dueAt)}
            </Text>
            <Text fz="xs" mt={2} c="dark.4">
              {d.whenPassed}
            </Text>
          </div>
        ))}
      </Stack>
    </Section>
  );
}
