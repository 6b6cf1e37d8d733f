import { Alert, Group, Loader } from '@mantine/core';

/** The red notice a screen shows when its data could not be loaded (the message says why). */
export function LoadError({ title, error }: { title: string; error: { message: string } | null | undefined }) {
  if (!error) return null;
  return (
    <Alert color="red" variant="light" title={title} mb="md" role="alert">
      {error.message}
    </Alert>
  );
}

/** A centred spinner while a screen's first answer is on its way. */
export function Loading({ padding = 'xl' }: { padding?: 'lg' | 'xl' }) {
  return (
    <Group justify="center" p={padding}>
      <Loader size="sm" />
    </Group>
  );
}
