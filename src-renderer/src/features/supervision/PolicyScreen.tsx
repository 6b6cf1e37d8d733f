import { Badge, Box, Group, SegmentedControl } from '@mantine/core';
import { LoadError, Loading } from '../../ui/LoadState';
import { useState } from 'react';
import { formatInstant } from '../../ui/format';
import { useMethodQuery } from '../../api/queries';
import type { Me } from '../../api/types';
import { PolicyEditor } from './PolicyEditor';
import { PolicyHistory } from './PolicyHistory';
import { ScreenHeader } from './shared';

type Tab = 'edit' | 'history';

/**
 * The policy editor: the deadlines, the partial-refund rates and the missed-evidence
 * default as a form validated by the contract's own schema; the difference against the
 * version in force; a replay of the last N decided cases under the draft; then "Publish
 * version N+1" with a required note. The history lists every version with its note and
 * the decisions recorded under it. Supervisors only.
 */
export function PolicyScreen({ onOpen, active }: { me: Me; onOpen: (caseId: string) => void; active: boolean }) {
  const current = useMethodQuery('policy.get', {}, { enabled: active });
  const history = useMethodQuery('policy.history', {}, { enabled: active });
  const [tab, setTab] = useState<Tab>('edit');
  const cur = current.data;

  return (
    <Box className="sv-page" data-testid="policy-screen">
      <ScreenHeader
        title={
          <Group gap="sm">
            Policy
            {cur && (
              <Badge size="lg" radius="sm" variant="light" color="indigo" style={{ textTransform: 'none' }} data-testid="policy-version">
                version {cur.version} in force
              </Badge>
            )}
          </Group>
        }
        subtitle={
          cur ? (
            <>
              Since {formatInstant(cur.createdAt)} by {cur.createdBy}: “{cur.note}” · {cur.decisions.toLocaleString()} decision
              {cur.decisions === 1 ? '' : 's'} made under it. Every decision keeps the version it was made under.
            </>
          ) : (
            'Deadlines, partial-refund rates and the missed-evidence default.'
          )
        }
        right={
          <SegmentedControl
            size="xs"
            value={tab}
            onChange={(v) => setTab(v)}
            data={[
              { value: 'edit', label: 'Edit and preview' },
              { value: 'history', label: `History${history.data ? ` · ${history.data.length}` : ''}` },
            ]}
            aria-label="Policy view"
            data-testid="policy-tab"
          />
        }
      />
      <LoadError title="The policy could not be loaded" error={current.error ?? history.error} />
      {!cur ? (
        current.loading && <Loading />
      ) : (
        <>
          <Box style={{ display: tab === 'edit' ? 'block' : 'none' }}>
            <PolicyEditor current={cur} onOpen={onOpen} onPublished={() => setTab('history')} />
          </Box>
          {tab === 'history' && <PolicyHistory versions={history.data ?? []} loading={history.loading} />}
        </>
      )}
    </Box>
  );
}
