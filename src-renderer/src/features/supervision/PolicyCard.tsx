import { Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** Beside a number field: its value in days, or what it was in the version in force. */
export function FieldNote({ now, was }: { now: string | null; was: string | null }) {
  if (!now && !was) return null;
  return (
    <Text fz={11} c={was ? 'indigo.7' : 'dimmed'} lh={1.1} ta="right" pr={28} style={{ whiteSpace: 'nowrap', pointerEvents: 'none' }}>
      {was ?? now}
    </Text>
  );
}

/** A titled panel of the policy screen. */
export function Card({
  title,
  hint,
  right,
  children,
  testId,
}: {
  title: string;
  hint?: string;
  right?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div className="sv-card" data-testid={testId}>
      <div className="sv-card-head">
        <div>
          <div className="sv-card-title">{title}</div>
          {hint && (
            <Text fz="xs" c="dimmed" mt={2}>
              {hint}
            </Text>
          )}
        </div>
        {right}
      </div>
      <div className="sv-card-body">{children}</div>
    </div>
  );
}
