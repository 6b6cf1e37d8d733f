import { Stack, Text } from '@mantine/core';
import { Section } from '../../../ui/Section';
import { ACTOR_COLORS, actorKind, formatInstant, humanize } from '../../../ui/format';
import type { CaseView } from '../../../api/types';

export function MessagesPanel({ view }: { view: CaseView }) {
  return (
    <Section title={`Messages between the parties · ${view.messages.length}`} testId="messages-panel">
      {view.messages.length === 0 ? (
        <Text fz="sm" c="dimmed">
          No messages.
        </Text>
      ) : (
        <Stack gap={8}>
          {view.messages.map((m, i) => (
            <div key={i} className="message" data-by={m.by}>
              <Text fz="xs" c="dimmed" mb={2}>
                <Text span inherit fw={600} c={`${ACTOR_COLORS[actorKind(m.by)]}.8`}>
                  {humanize(m.by)}
                </Text>{' '}
                · {formatInstant(m.at)}
              </Text>
              {m.text}
            </div>
          ))}
        </Stack>
      )}
    </Section>
  );
}
