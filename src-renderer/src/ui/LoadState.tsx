import { Alert, Group, Loader } from '@mantine/core';
import { useEffect, useState } from 'react';

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

/**
 * While a screen's code is fetched the first time it opens (a lazy chunk): nothing at first,
 * a quiet spinner only if it takes longer than a blink, so a quick load never flashes.
 */
export function ScreenLoading() {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setSlow(true), 300);
    return () => clearTimeout(timer);
  }, []);
  return slow ? <Loading /> : null;
}
