import { Badge } from '@mantine/core';
import { humanize, STATUS_COLORS } from '../format';

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge variant="light" radius="sm" size="sm" color={STATUS_COLORS[status] ?? 'gray'} style={{ textTransform: 'none', overflow: 'visible' }}
      styles={{ label: { overflow: 'visible' } }}>
      {humanize(status)}
    </Badge>
  );
}
