import {
  Alert,
  createTheme,
  DEFAULT_THEME,
  Drawer,
  Modal,
  Notification,
  type CSSVariablesResolver,
  type MantineColorsTuple,
} from '@mantine/core';

/**
 * Shades 7–9 of the warm and green hues, darkened so that text in them (status and risk
 * badges, `c="orange.7"` sentences) and white text on them (filled badges) reach 4.5:1 (WCAG
 * AA). Mantine's own orange-8 under white text is 3.6:1 and yellow-9 on its tint 2.8:1.
 * Shades 0–6 (tints, borders, chart fills) stay Mantine's.
 */
const DARKER: Record<string, [string, string, string]> = {
  red: ['#c92a2a', '#b02525', '#8f1d1d'],
  orange: ['#c2410c', '#9a3412', '#7c2d12'],
  yellow: ['#a16207', '#854d0e', '#713f12'],
  green: ['#15803d', '#166534', '#14532d'],
  teal: ['#0f766e', '#115e59', '#134e4a'],
  cyan: ['#0e7490', '#155e75', '#164e63'],
  lime: ['#4d7c0f', '#3f6212', '#365314'],
  blue: ['#1864ab', '#145591', '#0f4c81'],
  // 7 and 8 are Mantine's (8 fills the primary buttons); 9 is the text of a light button, which
  // on its hover tint (indigo-2) was 4.2:1 (an open "Reassign" menu's button).
  indigo: ['#4263eb', '#3b5bdb', '#2f44b0'],
};

function darkened(name: string, [s7, s8, s9]: [string, string, string]): MantineColorsTuple {
  const base = DEFAULT_THEME.colors[name]!;
  return [base[0], base[1], base[2], base[3], base[4], base[5], base[6], s7, s8, s9];
}

/** A quiet, dense desk-tool look: system fonts, small radii, compact defaults. */
export const theme = createTheme({
  primaryColor: 'indigo',
  // Shade 8: white text on a filled button reaches 4.5:1 (WCAG AA); shade 6 does not.
  primaryShade: 8,
  colors: Object.fromEntries(Object.entries(DARKER).map(([name, shades]) => [name, darkened(name, shades)])),
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace',
  headings: { fontWeight: '600' },
  // Every close button (the cross of a dialog, a drawer, an alert, a toast) has a name for screen readers.
  components: {
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    Alert: Alert.extend({ defaultProps: { closeButtonLabel: 'Dismiss' } }),
    Notification: Notification.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Dismiss' } } }),
  },
});

/**
 * Mantine's light scheme draws errors (a field's message, its border and placeholder) in
 * red-6, 3.3:1 on white: a field left empty on submit turned its message unreadable to AA.
 * Red-8 (darkened above) reaches 4.5:1, as the dark scheme's error colour already is.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-error': 'var(--mantine-color-red-8)' },
  dark: {},
});
