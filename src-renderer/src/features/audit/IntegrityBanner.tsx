import { Anchor, Group, Stack, Text } from '@mantine/core';
import { useEffect } from 'react';
import { useMethodQuery } from '../../api/queries';

/** How often the banner asks again while the start-up check is still walking the history. */
const WHILE_CHECKING_MS = 5_000;
/** Cases named in the banner itself; the rest are counted (`npm run -s cli -- audit verify` lists them all). */
const NAMED = 5;

/**
 * Supervisors only: the audit chain's start-up check found case histories or amounts that no
 * longer match what was recorded (an event changed or deleted, a decision or refund altered
 * behind the application's back). Names the cases, each opening the case screen.
 */
export function IntegrityBanner({ onOpen }: { onOpen: (caseId: string) => void }) {
  const { data, reload } = useMethodQuery('audit.integrity', {});
  const checking = data?.state === 'checking';
  useEffect(() => {
    if (!checking) return;
    const timer = setInterval(reload, WHILE_CHECKING_MS);
    return () => clearInterval(timer);
  }, [checking, reload]);

  if (!data || data.brokenCases === 0) return null;
  const rest = data.brokenCases - Math.min(NAMED, data.cases.length);
  return (
    <Stack
      role="alert"
      data-testid="integrity-banner"
      gap={2}
      py={6}
      px="md"
      bg="red.0"
      style={{ borderBottom: '1px solid var(--mantine-color-red-4)', flexShrink: 0 }}
    >
      <Text size="sm" fw={600} c="red.9">
        Audit trail integrity warning: the recorded history of {data.brokenCases === 1 ? '1 case' : `${data.brokenCases} cases`} no longer
        matches.
      </Text>
      <Group gap="xs">
        {data.cases.slice(0, NAMED).map((c) => (
          <Anchor key={c.caseId} size="sm" c="red.9" title={c.problems.join('\n')} onClick={() => onOpen(c.caseId)}>
            {c.caseId}
          </Anchor>
        ))}
        {rest > 0 && (
          <Text size="sm" c="red.9">
            and {rest} more
          </Text>
        )}
        <Text size="sm" c="dimmed">
          Someone changed the database outside Mediation Desk. Do not act on these cases until checked; run “audit verify” for details.
        </Text>
      </Group>
    </Stack>
  );
}
