import { Box } from '@mantine/core';
import { useEffect, useState, type ReactNode } from 'react';
import type { Me } from '../../types';
import { AppealsScreen } from './AppealsScreen';
import { PolicyScreen } from './PolicyScreen';
import { QualityScreen } from './QualityScreen';
import { TeamScreen } from './TeamScreen';

export type SupervisionView = 'appeals' | 'team' | 'policy' | 'quality';
export const SUPERVISION_VIEWS: Array<{ value: SupervisionView; label: string }> = [
  { value: 'appeals', label: 'Appeals' },
  { value: 'team', label: 'Team' },
  { value: 'policy', label: 'Policy' },
  { value: 'quality', label: 'Quality' },
];
const isSupervisionView = (v: string): v is SupervisionView => SUPERVISION_VIEWS.some((x) => x.value === v);

/**
 * The supervisors' screens under the shell's screen switch. Each stays mounted once
 * opened, so a policy draft, a selection or a sort survives opening a case and coming back.
 */
export function SupervisionScreens({ me, view, onOpen, refreshKey, covered }: { me: Me; view: string; onOpen: (caseId: string) => void; refreshKey: number; covered: boolean }) {
  const [visited, setVisited] = useState<Set<SupervisionView>>(() => new Set(isSupervisionView(view) ? [view] : []));
  useEffect(() => {
    if (isSupervisionView(view) && !visited.has(view)) setVisited((v) => new Set(v).add(view));
  }, [view, visited]);

  const layer = (v: SupervisionView, screen: (active: boolean) => ReactNode) => {
    if (!visited.has(v) && view !== v) return null;
    const shown = view === v && !covered;
    return (
      <Box key={v} style={{ position: 'absolute', inset: 0, visibility: shown ? 'visible' : 'hidden', display: view === v ? 'block' : 'none' }} bg="gray.0">
        {screen(shown)}
      </Box>
    );
  };
  return (
    <>
      {layer('appeals', (active) => <AppealsScreen me={me} onOpen={onOpen} refreshKey={refreshKey} active={active} />)}
      {layer('team', (active) => <TeamScreen me={me} onOpen={onOpen} refreshKey={refreshKey} active={active} />)}
      {layer('policy', (active) => <PolicyScreen me={me} onOpen={onOpen} refreshKey={refreshKey} active={active} />)}
      {layer('quality', (active) => <QualityScreen me={me} onOpen={onOpen} refreshKey={refreshKey} active={active} />)}
    </>
  );
}
