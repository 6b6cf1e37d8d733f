import { Group, Paper, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** A titled block of the case screen: quiet heading, content, optional right-side extra. */
export function Section({
  title,
  extra,
  children,
  id,
  testId,
}: {
  title: ReactNode;
  extra?: ReactNode;
  children: ReactNode;
  id?: string;
  testId?: string;
}) {
  return (
    <Paper
      withBorder
      radius="md"
      p="md"
      component="section"
      id={id}
      data-testid={testId}
      aria-label={typeof title === 'string' ? title : undefined}
    >
      <Group justify="space-between" mb="sm" wrap="nowrap" gap="xs">
        <Text fz="xs" fw={700} tt="uppercase" c="dimmed" style={{ letterSpacing: '0.04em' }}>
          {title}
        </Text>
        {extra}
      </Group>
      {children}
    </Paper>
  );
}

/** A label above a value, for dense fact grids. */
export function Fact({ label, children, align }: { label: ReactNode; children: ReactNode; align?: 'right' }) {
  return (
    <div style={{ minWidth: 0, textAlign: align }}>
      <Text fz="xs" c="dimmed" lh={1.3}>
        {label}
      </Text>
      <Text fz="sm" component="div" lh={1.45} style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </div>
  );
}
