import { SegmentedControl, Text } from '@mantine/core';
import { useState } from 'react';
import type { DoubleAgreementRow } from '../../../../src-main/contract/scorecards';
import { useMethodQuery } from '../../api/queries';
import { Empty, pct } from './shared';

const BANDS = ['5', '10', '20'];

/**
 * The noise audit (issue 18): cases decided a second time, blind, by another mediator; how
 * often the two decisions agree (same outcome; refund within the band of the order total),
 * per reason and per mediator.
 */
export function NoiseAuditCard({ active }: { active: boolean }) {
  const [band, setBand] = useState('10');
  const q = useMethodQuery('double.agreement', { days: 90, bandPct: Number(band) }, { enabled: active });
  const v = q.data;
  return (
    <div className="sv-card" data-testid="noise-audit">
      <div className="sv-card-head">
        <span className="sv-card-title">Blind double decisions</span>
        <SegmentedControl
          size="xs"
          value={band}
          onChange={setBand}
          data={BANDS.map((b) => ({ value: b, label: `±${b} %` }))}
          aria-label="Amount band"
        />
      </div>
      {v && v.total.pairs > 0 ? (
        <table className="sv-table" data-testid="noise-table">
          <thead>
            <tr>
              <th />
              <th style={{ textAlign: 'right' }}>Pairs</th>
              <th style={{ textAlign: 'right' }}>Same outcome</th>
              <th style={{ textAlign: 'right' }}>Amount in band</th>
            </tr>
          </thead>
          <tbody>
            <Rows rows={[v.total]} kind="total" />
            <Heading label="By reason" />
            <Rows rows={v.byReason} kind="reason" />
            <Heading label="By mediator (either decision)" />
            <Rows rows={v.byMediator} kind="mediator" />
          </tbody>
        </table>
      ) : (
        <Empty
          title="No case decided twice yet."
          hint="A share of cases (the policy's double-decision rate) is decided again, blind, by a second mediator."
        />
      )}
      {v && (
        <Text fz="xs" c="dimmed" px="sm" pb="xs">
          {v.pending} blind decision{v.pending === 1 ? '' : 's'} still waiting · last {v.days} days
        </Text>
      )}
    </div>
  );
}

function Heading({ label }: { label: string }) {
  return (
    <tr>
      <td colSpan={4}>
        <Text fz="xs" fw={600} c="dimmed" tt="uppercase">
          {label}
        </Text>
      </td>
    </tr>
  );
}

function Rows({ rows, kind }: { rows: DoubleAgreementRow[]; kind: string }) {
  return rows.map((r) => (
    <tr key={`${kind}:${r.key}`} data-testid={`noise-${kind}`} data-key={r.key}>
      <td>{r.label}</td>
      <td className="num">{r.pairs}</td>
      <td className="num">{pct(r.sameOutcomeShare)}</td>
      <td className="num">{pct(r.amountWithinBandShare)}</td>
    </tr>
  ));
}
