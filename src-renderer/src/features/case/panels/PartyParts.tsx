import { Badge, Group, SimpleGrid, Text } from '@mantine/core';
import { Fact } from '../../../ui/Section';
import { formatAge } from '../../../ui/format';
import type { CaseView } from '../../../api/types';

/** Account age, orders and disputes of a party (the buyer's and the seller's panels). */
export function PartyFacts({
  createdAt,
  history,
  now,
  ...margins
}: {
  createdAt: string | null;
  history: CaseView['buyer']['history'];
  now: number;
  my?: string;
  mt?: string;
}) {
  return (
    <SimpleGrid cols={3} spacing="xs" {...margins}>
      <Fact label="Account age">{formatAge(createdAt, now)}</Fact>
      <Fact label="Orders">{history?.orders ?? '—'}</Fact>
      <Fact label="Disputes">
        {history ? (
          <>
            {history.disputes}
            {history.openDisputes > 1 && (
              <Text span fz="xs" c="dimmed">
                {' '}
                ({history.openDisputes} open)
              </Text>
            )}
          </>
        ) : (
          '—'
        )}
      </Fact>
    </SimpleGrid>
  );
}

export function PartyHead({ name, id, country }: { name: string; id: string; country: string }) {
  return (
    <Group gap="xs" wrap="nowrap">
      <Text fw={600} fz="sm" truncate>
        {name}
      </Text>
      <Badge variant="outline" color="gray" size="xs" radius="sm" style={{ flexShrink: 0, overflow: 'visible' }}>
        {country}
      </Badge>
      <Text fz="xs" c="dimmed" className="mono" style={{ flexShrink: 0 }}>
        {id}
      </Text>
    </Group>
  );
}
