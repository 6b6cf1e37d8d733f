import { Badge } from '@mantine/core';
import type { CaseStatus } from '../../../src-main/contract/domain';
import { humanize, STATUS_COLORS, STATUS_LABELS } from './format';

export function StatusBadge({ status, size = 'sm' }: { status: string; size?: 'xs' | 'sm' | 'md' }) {
  return (
    <Badge
      variant="light"
      radius="sm"
      size={size}
      color={STATUS_COLORS[status] ?? 'gray'}
      style={{ textTransform: 'none', fontWeight: 600, letterSpacing: 0, flexShrink: 0, overflow: 'visible' }}
      styles={{ label: { overflow: 'visible' } }}
      data-testid="status-badge"
    >
      {STATUS_LABELS[status as CaseStatus] ?? humanize(status)}
    </Badge>
  );
}
