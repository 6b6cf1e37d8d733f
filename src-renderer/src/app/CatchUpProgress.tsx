import { Group, Progress, Text, Tooltip } from '@mantine/core';
import type { TaskProgress } from '../api/bridge';

/**
 * The deadline catch-up under way in main (after days closed, thousands of defaults fall due
 * at once): how many are applied and how many at least remain, from the change notices'
 * `progress` (issue 16). Hidden when no catch-up runs.
 */
export function CatchUpProgress({ progress }: { progress: TaskProgress | null }) {
  if (!progress || progress.finished) return null;
  const total = progress.done + progress.remainingAtLeast;
  const percent = total ? Math.round((progress.done / total) * 100) : 0;
  const text = `Applying deadlines that fell due: ${progress.done.toLocaleString()} done, ${progress.remainingAtLeast.toLocaleString()}${progress.remainingAtLeast ? '+' : ''} to go`;
  return (
    <Tooltip label={text}>
      <Group gap={6} wrap="nowrap" data-testid="catch-up-progress" role="status" aria-label={text}>
        <Text size="xs" c="dimmed">
          Catching up
        </Text>
        <Progress value={percent} w={90} size="sm" animated aria-hidden />
        <Text size="xs" c="dimmed" data-testid="catch-up-done">
          {progress.done.toLocaleString()}
        </Text>
      </Group>
    </Tooltip>
  );
}

/**
 * A dispute file importing in main (started from the Feeds screen by anyone): lines read and the
 * share of the file, from the change notices' `progress` (task 'import'). Hidden otherwise.
 */
export function ImportProgress({ progress }: { progress: TaskProgress | null }) {
  if (!progress || progress.finished) return null;
  const total = progress.done + progress.remainingAtLeast;
  const percent = total ? Math.round((progress.done / total) * 100) : 0;
  const text = `Importing disputes: ${progress.done.toLocaleString()} lines read, about ${percent} % of the file`;
  return (
    <Tooltip label={text}>
      <Group gap={6} wrap="nowrap" data-testid="import-indicator" role="status" aria-label={text}>
        <Text size="xs" c="dimmed">
          Importing
        </Text>
        <Progress value={percent} w={90} size="sm" animated aria-hidden />
        <Text size="xs" c="dimmed">
          {percent} %
        </Text>
      </Group>
    </Tooltip>
  );
}
