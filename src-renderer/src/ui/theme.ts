import { createTheme } from '@mantine/core';

/** A quiet, dense desk-tool look: system fonts, small radii, compact defaults. */
export const theme = createTheme({
  primaryColor: 'indigo',
  // Shade 8: white text on a filled button reaches 4.5:1 (WCAG AA); shade 6 does not.
  primaryShade: 8,
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace',
  headings: { fontWeight: '600' },
});
