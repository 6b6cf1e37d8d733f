import { Group, Loader, Text } from '@mantine/core';
import { useEffect, useEffectEvent, useState } from 'react';
import { call, onDatabaseState } from '../api/client';

/** How often the banner asks the desk again while the database cannot be reached. */
const RETRY_MS = 2_000;

/**
 * "Database unreachable — retrying…" while calls answer UNAVAILABLE. Meanwhile it retries a
 * cheap call; the next successful call (this one or any other) hides it, and `onRecovered`
 * lets the screens refetch what they show.
 */
export function ConnectionBanner({ onRecovered }: { onRecovered: () => void }) {
  const [down, setDown] = useState(false);
  const recover = useEffectEvent(onRecovered);

  useEffect(() => {
    let wasDown = false;
    return onDatabaseState((isDown) => {
      if (wasDown && !isDown) recover();
      wasDown = isDown;
      setDown(isDown);
    });
  }, []);

  useEffect(() => {
    if (!down) return;
    const timer = setInterval(() => void call('session.me', {}), RETRY_MS);
    return () => clearInterval(timer);
  }, [down]);

  if (!down) return null;
  return (
    <Group
      role="status"
      aria-live="polite"
      data-testid="connection-banner"
      gap="xs"
      justify="center"
      py={6}
      bg="yellow.1"
      style={{ borderBottom: '1px solid var(--mantine-color-yellow-4)', flexShrink: 0 }}
    >
      <Loader size={14} color="yellow.8" />
      <Text size="sm" fw={500} c="yellow.9">
        Database unreachable — retrying…
      </Text>
      <Text size="sm" c="dimmed">
        Nothing you do is lost: commands are refused until it answers again.
      </Text>
    </Group>
  );
}
