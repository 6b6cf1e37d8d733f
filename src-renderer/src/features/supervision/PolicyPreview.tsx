import { Alert, Badge, Group, SegmentedControl, Stack, Text, Tooltip } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { PolicyPreviewView, PreviewCaseRow } from '../../../../src-main/contract/supervision';
import { Money } from '../../ui/Money';
import { formatInstantCompact, formatMoney, humanize, reasonLabel } from '../../ui/format';
import { OutcomeBadge } from '../../ui/outcomes';
import { Empty, SortTh, Stat, useRowNav, useSort } from './shared';

type Col = 'case' | 'decided' | 'delta';
type Show = 'changed' | 'all';

const delta = (r: PreviewCaseRow) => r.after.amountMinor - r.before.amountMinor;
/** What a column sorts by (useSort wants a stable function). */
const sortValue = (r: PreviewCaseRow, k: Col): number | string =>
  k === 'case' ? r.caseId : k === 'decided' ? r.decidedAt : Math.abs(delta(r)) + (r.before.outcome !== r.after.outcome ? 1e15 : 0);

/**
 * What the draft would have done to the last N decided cases: totals first (how many
 * outcomes and amounts change, refunds before and after per currency), then a row per
 * case, the changed ones highlighted; a row opens its case.
 */
export function PolicyPreview({
  preview,
  stale,
  onOpen,
}: {
  preview: PolicyPreviewView;
  stale: boolean;
  onOpen: (caseId: string) => void;
}) {
  const [show, setShow] = useState<Show>('changed');
  const changed = preview.rows.filter((r) => r.changed).length;
  const rows = useMemo(() => (show === 'changed' ? preview.rows.filter((r) => r.changed) : preview.rows), [preview.rows, show]);
  const { sorted, sort, toggle } = useSort<PreviewCaseRow, Col>(rows, { key: 'delta', dir: 'desc' }, sortValue);
  const nav = useRowNav(sorted.length, (i) => sorted[i] && onOpen(sorted[i].caseId));
  // Currencies whose refunds change first, the biggest change first; the others after, by name.
  const totals = useMemo(
    () =>
      [...preview.totals].sort(
        (a, b) => Math.abs(b.afterMinor - b.beforeMinor) - Math.abs(a.afterMinor - a.beforeMinor) || a.currency.localeCompare(b.currency),
      ),
    [preview.totals],
  );

  return (
    <div className="sv-card" data-testid="policy-preview" data-stale={stale || undefined}>
      <div className="sv-card-head">
        <span className="sv-card-title">
          Preview on the last {preview.considered} decided cases · based on version {preview.basedOnVersion}
        </span>
        <Text fz="xs" c="dimmed">
          replayed in {preview.elapsedMs < 1000 ? `${preview.elapsedMs} ms` : `${(preview.elapsedMs / 1000).toFixed(1)} s`}; nothing was
          stored
        </Text>
      </div>
      <div className="sv-card-body">
        {stale && (
          <Alert color="yellow" variant="light" mb="sm" data-testid="preview-stale">
            The draft changed since this preview: preview again before publishing.
          </Alert>
        )}
        <Group gap="md" mb="sm" wrap="nowrap" align="flex-start">
          <Stack gap="sm">
            <Stat
              label="Cases changed"
              value={`${changed} of ${preview.replayed}`}
              tone={changed ? 'orange.8' : 'teal.8'}
              hint={preview.skipped ? `${preview.skipped} skipped: no recorded commands` : 'all replayed'}
              testId="preview-changed"
            />
            <Group gap="sm" wrap="nowrap">
              <Stat
                label="Outcomes"
                value={preview.changedOutcomes}
                tone={preview.changedOutcomes ? 'orange.8' : undefined}
                hint="change"
                testId="preview-outcomes"
              />
              <Stat
                label="Amounts"
                value={preview.changedAmounts}
                tone={preview.changedAmounts ? 'orange.8' : undefined}
                hint="change"
                testId="preview-amounts"
              />
            </Group>
          </Stack>
          <div className="sv-card" style={{ flex: 1, minWidth: 0 }}>
            <table className="sv-table" data-testid="preview-totals">
              <thead>
                <tr>
                  <th>Refunds per currency</th>
                  <th style={{ textAlign: 'right' }}>Before</th>
                  <th style={{ textAlign: 'right' }}>With the draft</th>
                  <th style={{ textAlign: 'right' }}>Difference to buyers</th>
                </tr>
              </thead>
              <tbody>
                {totals.map((t) => {
                  const d = t.afterMinor - t.beforeMinor;
                  return (
                    <tr key={t.currency} data-testid="preview-total" data-currency={t.currency} data-tone={d ? 'changed' : undefined}>
                      <td>
                        <Text span fz="sm" fw={600}>
                          {t.currency}
                        </Text>
                      </td>
                      <td className="num">
                        <Money minor={t.beforeMinor} currency={t.currency} c="dimmed" />
                      </td>
                      <td className="num">
                        <Money minor={t.afterMinor} currency={t.currency} fw={d ? 700 : undefined} />
                      </td>
                      <td className="num">
                        <Text
                          span
                          fz="sm"
                          fw={d ? 700 : undefined}
                          c={d > 0 ? 'teal.8' : d < 0 ? 'red.7' : 'dimmed'}
                          data-testid="preview-total-delta"
                        >
                          {d === 0 ? 'no change' : `${d > 0 ? '+' : '−'}${formatMoney(Math.abs(d), t.currency)}`}
                        </Text>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {totals.length === 0 && <Empty title="No refunds in these cases." />}
          </div>
        </Group>
        <Group justify="space-between" mb={6}>
          <Text fz="sm" fw={600}>
            {show === 'changed'
              ? `${changed} case${changed === 1 ? '' : 's'} would end differently`
              : `All ${preview.rows.length} cases replayed`}
          </Text>
          <SegmentedControl
            size="xs"
            value={show}
            onChange={(v) => setShow(v)}
            data={[
              { value: 'changed', label: `Changed · ${changed}` },
              { value: 'all', label: `All · ${preview.rows.length}` },
            ]}
            aria-label="Rows"
          />
        </Group>
      </div>
      <div className="sv-scroll" style={{ maxHeight: 560, borderTop: '1px solid var(--mantine-color-gray-2)' }}>
        <table className="sv-table" data-testid="preview-table">
          <thead>
            <tr>
              <SortTh label="Case" col="case" sort={sort} onSort={toggle} firstDir="asc" width={160} />
              <SortTh label="Decided" col="decided" sort={sort} onSort={toggle} width={120} />
              <th>Before</th>
              <th>With the draft</th>
              <SortTh label="Difference" col="delta" sort={sort} onSort={toggle} align="right" width={150} />
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((r, i) => {
              const d = delta(r);
              return (
                <tr
                  key={r.caseId}
                  {...nav(i)}
                  onClick={() => onOpen(r.caseId)}
                  data-tone={r.changed ? 'changed' : undefined}
                  data-testid="preview-row"
                  data-case-id={r.caseId}
                  data-changed={r.changed}
                >
                  <td>
                    <Text fz="sm" fw={600} className="mono">
                      {r.caseId}
                    </Text>
                    <Text fz="xs" c="dimmed">
                      {reasonLabel(r.reason)}
                    </Text>
                  </td>
                  <td className="nowrap">
                    <Text fz="xs" c="dimmed">
                      {formatInstantCompact(r.decidedAt)}
                    </Text>
                  </td>
                  <td className="nowrap">
                    <Side
                      outcome={r.before.outcome}
                      amount={r.before.amountMinor}
                      currency={r.currency}
                      basis={r.before.basis}
                      status={r.before.status}
                    />
                  </td>
                  <td className="nowrap">
                    <Side
                      outcome={r.after.outcome}
                      amount={r.after.amountMinor}
                      currency={r.currency}
                      basis={r.after.basis}
                      status={r.after.status}
                      strong={r.changed}
                    />
                  </td>
                  <td className="num">
                    {d === 0 ? (
                      <Text span fz="sm" c="dimmed">
                        —
                      </Text>
                    ) : (
                      <Text span fz="sm" fw={600} c={d > 0 ? 'teal.8' : 'red.7'}>
                        {d > 0 ? '+' : '−'}
                        <Money minor={Math.abs(d)} currency={r.currency} />
                      </Text>
                    )}
                  </td>
                  <td style={{ minWidth: 260 }}>
                    <Text fz="xs" c={r.note ? 'dark.5' : 'dimmed'}>
                      {r.note ?? (r.changed ? '' : 'same result')}
                    </Text>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {sorted.length === 0 && (
          <Empty
            testId="preview-empty"
            title={show === 'changed' ? 'No case would end differently.' : 'No decided cases to replay yet.'}
            hint={
              show === 'changed'
                ? 'The draft changes nothing for these cases: widen N, or check that the change touches reasons that occur.'
                : 'Once mediators decide cases, they can be replayed here.'
            }
          />
        )}
      </div>
    </div>
  );
}

function Side({
  outcome,
  amount,
  currency,
  basis,
  status,
  strong,
}: {
  outcome: string | null;
  amount: number;
  currency: string;
  basis: string | null;
  status: string;
  strong?: boolean;
}) {
  return (
    <Group gap={6} wrap="nowrap">
      <OutcomeBadge outcome={outcome} />
      {outcome !== null && <Money minor={amount} currency={currency} fw={strong ? 700 : undefined} />}
      <Tooltip label={`${basis ? `${humanize(basis)}, ` : ''}${humanize(status)}`} openDelay={300} withArrow>
        <Badge size="xs" variant="outline" color="gray" radius="sm" style={{ textTransform: 'none', flexShrink: 0 }}>
          {basis ?? humanize(status)}
        </Badge>
      </Tooltip>
    </Group>
  );
}
