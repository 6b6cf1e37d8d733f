import { Badge, Button, Popover, Stack, Text, UnstyledButton } from '@mantine/core';
import { useMethodQuery } from '../../api/queries';
import { formatInstant, reasonLabel } from '../../ui/format';

/**
 * The second opinions asked of this supervisor (an @mention in a case's notes), until they
 * answer: a count beside the queue's tabs, opening the list.
 */
export function SecondOpinionsButton({ onOpen }: { onOpen: (caseId: string) => void }) {
  const { data } = useMethodQuery('notes.secondOpinions', {});
  const items = data?.items ?? [];
  return (
    <Popover position="bottom-end" width={380} shadow="md" withinPortal>
      <Popover.Target>
        <Button
          size="xs"
          variant={items.length ? 'light' : 'subtle'}
          color={items.length ? 'violet' : 'gray'}
          rightSection={
            <Badge
              size="sm"
              radius="sm"
              color="violet"
              variant={items.length ? 'filled' : 'light'}
              className="tabular"
              data-testid="second-opinion-count"
            >
              {items.length}
            </Badge>
          }
          data-testid="second-opinions"
        >
          Second opinion
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        {items.length === 0 ? (
          <Text fz="sm" c="dimmed">
            Nobody is waiting for your opinion.
          </Text>
        ) : (
          <Stack gap="xs" role="list" aria-label="Second opinions asked of you">
            {items.map((i) => (
              <UnstyledButton
                key={i.noteId}
                onClick={() => onOpen(i.caseId)}
                role="listitem"
                data-testid="second-opinion-item"
                aria-label={`Open case ${i.caseId}: ${i.fromName} asks`}
              >
                <Text fz="sm" fw={600} className="mono">
                  {i.caseId}{' '}
                  <Text span fz="xs" c="dimmed" fw={400} style={{ fontFamily: 'inherit' }}>
                    {reasonLabel(i.reason)} · {i.fromName}, {formatInstant(i.askedAt)}
                  </Text>
                </Text>
                <Text fz="xs" lineClamp={2}>
                  {i.body}
                </Text>
              </UnstyledButton>
            ))}
          </Stack>
        )}
      </Popover.Dropdown>
    </Popover>
  );
}
