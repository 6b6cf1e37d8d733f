import { Box, Group, SegmentedControl, Text } from '@mantine/core';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { useMethodQuery } from '../../api/queries';
import type { Me } from '../../api/types';
import { ErrorBoundary } from '../../ui/ErrorBoundary';
import { ScreenLoading } from '../../ui/LoadState';

// Each screen is its own chunk, fetched the first time it is opened (issue 16): a mediator's
// sign-in and queue load none of them, Reports' charts included.
const AppealsScreen = lazy(() => import('./AppealsScreen').then((m) => ({ default: m.AppealsScreen })));
const FeedsScreen = lazy(() => import('./FeedsScreen').then((m) => ({ default: m.FeedsScreen })));
const PolicyScreen = lazy(() => import('./PolicyScreen').then((m) => ({ default: m.PolicyScreen })));
const QualityScreen = lazy(() => import('./QualityScreen').then((m) => ({ default: m.QualityScreen })));
const ReportsScreen = lazy(() => import('./ReportsScreen').then((m) => ({ default: m.ReportsScreen })));
const TeamScreen = lazy(() => import('./TeamScreen').then((m) => ({ default: m.TeamScreen })));
const UsersScreen = lazy(() => import('../accounts/UsersScreen').then((m) => ({ default: m.UsersScreen })));

export type SupervisionView = 'appeals' | 'team' | 'policy' | 'quality' | 'reports' | 'users' | 'feeds';
export const SUPERVISION_VIEWS: Array<{ value: SupervisionView; label: string; screen: string }> = [
  { value: 'appeals', label: 'Appeals', screen: 'The appeals queue' },
  { value: 'team', label: 'Team', screen: 'The team view' },
  { value: 'policy', label: 'Policy', screen: 'The policy editor' },
  { value: 'quality', label: 'Quality', screen: 'The quality review' },
  { value: 'reports', label: 'Reports', screen: 'The reports' },
  { value: 'users', label: 'Users', screen: 'The users screen' },
  { value: 'feeds', label: 'Feeds', screen: 'The feeds screen' },
];
const isSupervisionView = (v: string): v is SupervisionView => SUPERVISION_VIEWS.some((x) => x.value === v);

/**
 * The supervisors' screens under the shell's screen switch. Each stays mounted once
 * opened, so a policy draft, a selection or a sort survives opening a case and coming back.
 */
export function SupervisionScreens({
  me,
  view,
  onOpen,
  covered,
}: {
  me: Me;
  view: string;
  onOpen: (caseId: string) => void;
  covered: boolean;
}) {
  const [visited, setVisited] = useState<Set<SupervisionView>>(() => new Set(isSupervisionView(view) ? [view] : []));
  // Remembered while rendering: a screen once shown stays mounted.
  if (isSupervisionView(view) && !visited.has(view)) setVisited(new Set(visited).add(view));

  const layer = (v: SupervisionView, screen: (active: boolean) => ReactNode) => {
    if (!visited.has(v) && view !== v) return null;
    const shown = view === v && !covered;
    return (
      <Box
        key={v}
        style={{ position: 'absolute', inset: 0, visibility: shown ? 'visible' : 'hidden', display: view === v ? 'block' : 'none' }}
        bg="gray.0"
      >
        <ErrorBoundary screen={SUPERVISION_VIEWS.find((x) => x.value === v)!.screen}>
          <Suspense fallback={<ScreenLoading />}>{screen(shown)}</Suspense>
        </ErrorBoundary>
      </Box>
    );
  };
  return (
    <>
      {layer('appeals', (active) => (
        <AppealsScreen me={me} onOpen={onOpen} active={active} />
      ))}
      {layer('team', (active) => (
        <TeamScreen me={me} onOpen={onOpen} active={active} />
      ))}
      {layer('policy', (active) => (
        <PolicyScreen me={me} onOpen={onOpen} active={active} />
      ))}
      {layer('quality', (active) => (
        <QualityScreen me={me} onOpen={onOpen} active={active} />
      ))}
      {layer('reports', (active) => (
        <ReportsScreen me={me} onOpen={onOpen} active={active} />
      ))}
      {layer('users', (active) => (
        <UsersScreen me={me} active={active} />
      ))}
      {layer('feeds', (active) => (
        <FeedsScreen me={me} active={active} />
      ))}
    </>
  );
}

/** Counts in the nav scan indexes: refreshed at most this often, however busy the desk is. */
const COUNTS_EVERY_MS = 4_000;

/**
 * The supervisors' screen switch, in a bar under the header (six screens do not fit beside
 * the search): Cases, Appeals and Quality with what waits, Team, Policy, Buyers by risk.
 */
export function SupervisorNav({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const counts = { meta: { refreshAtMostEveryMs: COUNTS_EVERY_MS } };
  const appeals = useMethodQuery('appeals.list', { limit: 1 }, counts);
  const quality = useMethodQuery('quality.list', { status: 'pending', limit: 1 }, counts);

  const count = (n: number | undefined, color: string, testId: string) =>
    n ? (
      <Text span fz="xs" fw={700} c={color} className="tabular" data-testid={testId}>
        {n.toLocaleString()}
      </Text>
    ) : null;
  const label = (text: string, badge?: ReactNode) => (
    <Group gap={6} wrap="nowrap" justify="center">
      <span>{text}</span>
      {badge}
    </Group>
  );
  return (
    <Group
      px="md"
      py={6}
      gap="md"
      bg="white"
      wrap="nowrap"
      style={{ borderBottom: '1px solid var(--mantine-color-gray-3)', flexShrink: 0 }}
      data-testid="supervisor-nav"
    >
      <SegmentedControl
        size="xs"
        value={value}
        onChange={onChange}
        data={[
          { value: 'queue', label: label('Cases') },
          { value: 'appeals', label: label('Appeals', count(appeals.data?.total, 'red.7', 'nav-appeals-count')) },
          { value: 'team', label: label('Team') },
          { value: 'policy', label: label('Policy') },
          { value: 'quality', label: label('Quality', count(quality.data?.total, 'violet.7', 'nav-quality-count')) },
          { value: 'reports', label: label('Reports') },
          { value: 'buyers', label: label('Buyers by risk') },
          { value: 'users', label: label('Users') },
          { value: 'feeds', label: label('Feeds') },
        ]}
        aria-label="Screen"
        data-testid="base-view"
      />
      {/* Nine screens fill the bar on a narrow window: the sentence shows only where it fits. */}
      <Text fz="xs" c="dimmed" visibleFrom="xl" style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
        Supervisor’s desk: appeals, the team’s work, the policy and decision quality.
      </Text>
    </Group>
  );
}
