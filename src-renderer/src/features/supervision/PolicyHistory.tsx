import { Badge, Group, Loader, Text } from '@mantine/core';
import type { PolicyVersionView } from '../../../../src-main/contract/supervision';
import { formatInstantCompact } from '../../ui/format';
import { policyChanges } from './policyFields';
import { Empty } from './shared';

/** Every published version, newest first: its note, what changed against the one before, and the decisions made under it. */
export function PolicyHistory({ versions, loading }: { versions: PolicyVersionView[]; loading: boolean }) {
  if (loading && versions.length === 0)
    return (
      <Group justify="center" p="xl">
        <Loader size="sm" />
      </Group>
    );
  return (
    <div className="sv-card">
      <table className="sv-table" data-testid="policy-history">
        <thead>
          <tr>
            <th style={{ width: 110 }}>Version</th>
            <th style={{ width: 170 }}>Published</th>
            <th style={{ width: 120 }}>By</th>
            <th>Note</th>
            <th>Changes</th>
            <th style={{ width: 100, textAlign: 'right' }}>Decisions</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v, i) => {
            const prev = versions[i + 1];
            const changes = prev ? policyChanges(prev.policy, v.policy) : null;
            return (
              <tr key={v.version} data-testid="history-row" data-version={v.version}>
                <td>
                  <Group gap={6} wrap="nowrap">
                    <Text fz="sm" fw={700}>
                      v{v.version}
                    </Text>
                    {i === 0 && (
                      <Badge size="xs" radius="sm" color="teal" variant="light" style={{ textTransform: 'none' }}>
                        in force
                      </Badge>
                    )}
                  </Group>
                </td>
                <td className="nowrap">
                  <Text fz="sm">{formatInstantCompact(v.createdAt)}</Text>
                </td>
                <td>{v.createdBy}</td>
                <td>
                  <Text fz="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="history-note">
                    {v.note}
                  </Text>
                </td>
                <td>
                  {changes === null ? (
                    <Text fz="xs" c="dimmed">
                      first version
                    </Text>
                  ) : changes.length === 0 ? (
                    <Text fz="xs" c="dimmed">
                      no field changed
                    </Text>
                  ) : (
                    changes.map((c) => (
                      <Text key={c.field} fz="xs" className="tabular">
                        {c.label}: <span className="sv-diff-old">{c.before}</span> → <span className="sv-diff-new">{c.after}</span>
                      </Text>
                    ))
                  )}
                </td>
                <td className="num" data-testid="history-decisions">
                  {v.decisions.toLocaleString()}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {versions.length === 0 && (
        <Empty title="No version published yet." hint="The defaults are in force until a supervisor publishes a first version." />
      )}
    </div>
  );
}
