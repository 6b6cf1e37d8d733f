import { Alert, Group, Text } from '@mantine/core';
import { IconAlert } from '../../../ui/Icons';
import type { CaseView } from '../../../api/types';

export function WaitingOnYou({ view }: { view: CaseView }) {
  if (view.status !== 'in_review') return null;
  if (view.forcedDecision)
    return (
      <Alert
        color="red"
        variant="light"
        icon={<IconAlert size={18} />}
        title="Forced decision: the reply period ended without agreement"
        data-testid="forced-callout"
      >
        Decide by picking one of the published options. The parties’ replies are under “Published resolutions”.
      </Alert>
    );
  return (
    <Group
      gap={8}
      px="sm"
      py={6}
      bg="violet.0"
      wrap="nowrap"
      style={{ borderRadius: 'var(--mantine-radius-sm)', borderLeft: '3px solid var(--mantine-color-violet-5)' }}
    >
      <Text fz="sm" fw={600} c="violet.8">
        Your move.
      </Text>
      <Text fz="sm" c="dark.5">
        Nothing runs on this case until you request evidence, publish the resolutions or decide.
      </Text>
    </Group>
  );
}
