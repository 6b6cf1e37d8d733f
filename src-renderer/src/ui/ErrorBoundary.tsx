import { Button, Center, Code, Group, Stack, Text } from '@mantine/core';
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What broke, in the sentence shown: "The case screen", "The team view"… */
  screen: string;
  /** One line instead of a centred block (a bar, not a screen). */
  inline?: boolean;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/**
 * One per screen: a screen that throws while rendering shows what happened and a "Try
 * again" button in its own place, instead of a white window; the header, the other
 * screens and the keyboard keep working.
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`${this.props.screen} failed`, error, info.componentStack);
  }

  private readonly retry = () => this.setState({ error: null });

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    if (this.props.inline)
      return (
        <Group px="md" py={6} gap="sm" data-testid="screen-error">
          <Text fz="sm" role="alert">
            {this.props.screen} ran into a problem and could not be shown.
          </Text>
          <Button size="compact-xs" variant="light" onClick={this.retry} data-testid="screen-error-retry">
            Try again
          </Button>
        </Group>
      );
    return (
      <Center h="100%" p="xl" data-testid="screen-error">
        <Stack gap="sm" align="center" maw={560}>
          <Text fw={600} ta="center" role="alert">
            {this.props.screen} ran into a problem and could not be shown.
          </Text>
          <Code block style={{ maxWidth: '100%', whiteSpace: 'pre-wrap' }}>
            {error.message}
          </Code>
          <Button onClick={this.retry} data-testid="screen-error-retry">
            Try again
          </Button>
        </Stack>
      </Center>
    );
  }
}
