import { Button, Kbd } from '@mantine/core';

/** "Take next case" with its key (n): in the header, and where an empty Mine tab offers the next step. */
export function TakeNextButton({ onClick, loading, testId }: { onClick: () => void; loading: boolean; testId: string }) {
  return (
    <Button onClick={onClick} loading={loading} rightSection={<Kbd size="xs">n</Kbd>} data-testid={testId} aria-keyshortcuts="n">
      Take next case
    </Button>
  );
}
