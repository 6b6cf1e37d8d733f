import { Badge, Text } from '@mantine/core';

/** An analyst's label on a buyer account. */
export function LabelBadge({ label }: { label: string | null }) {
  if (!label)
    return (
      <Text fz="xs" c="dimmed">
        —
      </Text>
    );
  const flagged = label === 'serial_disputer';
  return (
    <Badge
      color={flagged ? 'red' : 'teal'}
      variant={flagged ? 'filled' : 'light'}
      size="sm"
      radius="sm"
      style={{ textTransform: 'none' }}
      data-testid="label-badge"
    >
      {flagged ? 'Serial disputer' : 'Cleared'}
    </Badge>
  );
}
