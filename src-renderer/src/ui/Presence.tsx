import { Avatar, Group, Text, Tooltip } from '@mantine/core';
import { ACTIVITY_PHRASES } from '../api/presence';
import type { PresenceActivity } from '../../../src-main/contract/presence';

interface Person {
  userId: string;
  name: string;
  activity: string;
}

const phrase = (p: Person) => ACTIVITY_PHRASES[p.activity as PresenceActivity] ?? p.activity;
const writing = (p: Person) => p.activity !== 'viewing';
const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');

/** Who else has the case open: on the case screen, a line naming each person and what they are doing. */
export function PresenceLine({ people }: { people: Person[] }) {
  if (!people.length) return null;
  return (
    <Group gap={10} mt={6} wrap="wrap" data-testid="presence" aria-live="polite">
      {people.map((p) => (
        <Group key={p.userId} gap={6} wrap="nowrap" data-testid="presence-person" data-activity={p.activity}>
          <Avatar size={22} radius="xl" color={writing(p) ? 'orange' : 'gray'} variant={writing(p) ? 'filled' : 'light'}>
            {initials(p.name)}
          </Avatar>
          <Text fz="sm" c={writing(p) ? 'orange.8' : 'dimmed'} fw={writing(p) ? 600 : 400}>
            {p.name} is {phrase(p)}
          </Text>
        </Group>
      ))}
    </Group>
  );
}

/** Who else has the case open: in a queue row, small initials with the details on hover. */
export function PresenceDots({ people }: { people: Person[] | undefined }) {
  if (!people?.length) return null;
  const label = people.map((p) => `${p.name} is ${phrase(p)}`).join('; ');
  return (
    <Tooltip label={label} openDelay={200} withArrow>
      <Avatar.Group spacing={6} data-testid="queue-presence" aria-label={label}>
        {people.slice(0, 2).map((p) => (
          <Avatar key={p.userId} size={18} radius="xl" color={writing(p) ? 'orange' : 'gray'} variant={writing(p) ? 'filled' : 'light'}>
            <span style={{ fontSize: 8 }}>{initials(p.name)}</span>
          </Avatar>
        ))}
      </Avatar.Group>
    </Tooltip>
  );
}
