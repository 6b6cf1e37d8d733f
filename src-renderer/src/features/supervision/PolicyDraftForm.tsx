import { Group, NumberInput, SimpleGrid, Switch, Text } from '@mantine/core';
import type { PolicyVersionView } from '../../../../src-main/contract/supervision';
import { formatBytes } from '../../ui/format';
import { FieldNote, Card } from './PolicyCard';
import { HOURS_FIELDS, RATE_REASONS, reasonName, type Change, type Draft } from './policyFields';

const EXAMPLE_PRICE = 10_000; // 100.00 of a two-decimal currency: "a 100.00 item refunds 50.00"

/**
 * Rates are shares (0–1) in the policy and percents on screen, typed and shown alike (every
 * other screen says percent): 70 typed is 0.7 kept. Two decimals of a percent at most.
 */
const toPercent = (share: number | '') => (typeof share === 'number' ? Math.round(share * 10_000) / 100 : '');
const toShare = (percent: number | string) => (typeof percent === 'number' ? Math.round(percent * 100) / 10_000 : '');
const percentText = (share: number) => `${toPercent(share)} %`;

/**
 * The draft as a form: deadlines, the missed-evidence default, the partial-refund rates and
 * the other settings. A changed field is marked with what it was in the version in force.
 */
export function PolicyDraftForm({
  draft,
  current,
  changes,
  errorOf,
  onEdit,
}: {
  draft: Draft;
  current: PolicyVersionView;
  changes: Change[];
  /** The message for a field: the schema's, or the core's refusal naming it. */
  errorOf: (field: string) => string | undefined;
  onEdit: (field: string, value: unknown) => void;
}) {
  const changedField = (field: string) => changes.some((c) => c.field === field);
  const currentRates = current.policy.partialRates as Record<string, number>;
  const hasSample = 'qualitySampleRate' in draft;
  // The schema's "between 0 and 1" said in the percents the person typed.
  const rateError = (field: string, v: unknown) => (typeof v === 'number' && (v < 0 || v > 1) ? 'Between 0 and 100 %.' : errorOf(field));
  // A share of cases (0–1) kept in the policy: the quality sample, the blind double decisions.
  const rateField = (field: 'qualitySampleRate' | 'doubleDecisionRate' | 'calibrationShare', label: string, description: string) => (
    <NumberInput
      label={label}
      description={description}
      value={toPercent(draft[field] as number | '')}
      onChange={(x) => onEdit(field, toShare(x))}
      suffix=" %"
      min={0}
      max={100}
      step={1}
      decimalScale={2}
      clampBehavior="none"
      error={rateError(field, draft[field])}
      w={260}
      className={changedField(field) ? 'sv-field-changed' : undefined}
      data-testid={`field-${field}`}
    />
  );
  return (
    <>
      <Card title="Deadlines" hint="Exact durations in hours, the same in every time zone.">
        <SimpleGrid cols={2} spacing="md" verticalSpacing="sm">
          {HOURS_FIELDS.map((f) => {
            const v = draft[f.key] as number | '';
            const was = current.policy[f.key];
            return (
              <NumberInput
                key={f.key}
                label={f.label}
                description={f.help}
                value={v}
                onChange={(x) => onEdit(f.key, typeof x === 'number' ? x : '')}
                suffix=" h"
                min={1}
                max={8760}
                step={12}
                allowDecimal={false}
                clampBehavior="none"
                error={errorOf(f.key)}
                className={changedField(f.key) ? 'sv-field-changed' : undefined}
                rightSection={
                  <FieldNote
                    now={typeof v === 'number' && v % 24 === 0 ? `${v / 24} d` : null}
                    was={changedField(f.key) ? `was ${was} h` : null}
                  />
                }
                rightSectionWidth={90}
                aria-label={`${f.label} (hours)`}
                data-testid={`field-${f.key}`}
              />
            );
          })}
        </SimpleGrid>
      </Card>

      <Card title="Missed evidence" hint="When an evidence request expires and no other request is open.">
        <Switch
          checked={draft.defaultOnMissedEvidence === true}
          onChange={(e) => onEdit('defaultOnMissedEvidence', e.currentTarget.checked)}
          label={
            draft.defaultOnMissedEvidence
              ? 'The party that stayed silent loses (decided by default)'
              : 'Off: the case goes back to the mediator'
          }
          description={
            draft.defaultOnMissedEvidence
              ? 'Buyer silent → no refund; seller silent → the buyer’s own claim. Both silent → back to the mediator.'
              : 'Every missed request goes back to the mediator to decide.'
          }
          className={changedField('defaultOnMissedEvidence') ? 'sv-field-changed' : undefined}
          data-testid="field-defaultOnMissedEvidence"
        />
      </Card>

      <Card
        title="Partial-refund rates"
        hint="Option A refunds the smaller of the claim and this share of the item price; the buyer keeps the item."
      >
        {/* A reason, a field and two figures: as wide as the form, the field stood 900 px (1,550 at 2560) from its reason. */}
        <table className="sv-table" style={{ background: 'transparent', maxWidth: 760 }} data-testid="policy-rates">
          <thead>
            <tr>
              <th>Reason</th>
              <th style={{ width: 130 }}>Share of price</th>
              <th style={{ width: 110, textAlign: 'right' }}>Refund on 100.00</th>
              <th style={{ width: 76, textAlign: 'right' }}>In force</th>
            </tr>
          </thead>
          <tbody>
            {RATE_REASONS.map((r) => {
              const field = `partialRates.${r}`;
              const v = draft.partialRates[r] ?? '';
              const changed = changedField(field);
              return (
                <tr key={r} data-tone={changed ? 'changed' : undefined}>
                  <td style={{ verticalAlign: 'middle' }}>
                    <Text fz="sm" fw={changed ? 600 : 500}>
                      {reasonName(r)}
                    </Text>
                  </td>
                  <td>
                    <NumberInput
                      size="xs"
                      value={toPercent(v)}
                      onChange={(x) => onEdit(field, toShare(x))}
                      suffix=" %"
                      min={0}
                      max={100}
                      step={5}
                      decimalScale={2}
                      clampBehavior="none"
                      error={rateError(field, v)}
                      aria-label={`Partial rate for ${reasonName(r)}`}
                      data-testid={`rate-${r}`}
                    />
                  </td>
                  <td className="num" style={{ verticalAlign: 'middle' }}>
                    {typeof v === 'number' && v >= 0 && v <= 1 ? (Math.round(v * EXAMPLE_PRICE) / 100).toFixed(2) : '—'}
                  </td>
                  <td className="num" style={{ verticalAlign: 'middle' }}>
                    <Text span fz="sm" c={changed ? 'dimmed' : undefined} td={changed ? 'line-through' : undefined}>
                      {typeof currentRates[r] === 'number' ? percentText(currentRates[r]) : '—'}
                    </Text>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Card>

      <Card title="Other settings">
        <Group align="flex-start" gap="xl">
          {hasSample && rateField('qualitySampleRate', 'Quality sample', 'Share of closed cases sent for a quality review.')}
          {'doubleDecisionRate' in draft &&
            rateField('doubleDecisionRate', 'Blind double decisions', 'Share of cases decided again, blind, by a second mediator.')}
          {'calibrationShare' in draft &&
            rateField('calibrationShare', 'Calibration share', 'Share of quality samples also scored by a second supervisor.')}
          <div>
            <Text fz="sm" fw={500}>
              Evidence files
            </Text>
            <Text fz="xs" c="dimmed">
              Images up to {formatBytes(current.policy.maxImageBytes)}, videos up to {formatBytes(current.policy.maxVideoBytes)} (kept as
              they are).
            </Text>
          </div>
        </Group>
      </Card>
    </>
  );
}
