import { Button, Checkbox, Group, MultiSelect, Popover, Select, SimpleGrid, Slider, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { CaseStatus, NOT_RECEIVED_REASONS, RECEIVED_REASONS } from '../../../../src-main/contract/domain';
import { minorToInput, parseMinor } from '../../../../src-main/contract/money-format';
import { reasonLabel, STATUS_LABELS } from '../../ui/format';
import type { SavedFilter } from '../../api/types';
import { CURRENCIES } from './filters';

interface Props {
  filter: SavedFilter;
  onApply: (f: SavedFilter) => void;
  opened: boolean;
  onOpenChange: (opened: boolean) => void;
  target: ReactNode;
}

const STATUS_DATA = CaseStatus.options.map((s) => ({ value: s, label: STATUS_LABELS[s] }));
const REASON_DATA = [
  { group: 'Item not received', items: NOT_RECEIVED_REASONS.map((r) => ({ value: r, label: reasonLabel(r) })) },
  { group: 'Received with a problem', items: RECEIVED_REASONS.map((r) => ({ value: r, label: reasonLabel(r) })) },
];

interface Draft {
  status: string[];
  reason: string[];
  country: string;
  currency: string | null;
  min: string;
  max: string;
  riskMin: number;
  flagged: boolean;
  overdue: boolean;
}

const toDraft = (f: SavedFilter): Draft => ({
  status: f.status ?? [],
  reason: f.reason ?? [],
  country: f.country ?? '',
  currency: f.currency ?? null,
  min: f.minAmountMinor !== undefined ? minorToInput(f.minAmountMinor, f.currency ?? 'EUR') : '',
  max: f.maxAmountMinor !== undefined ? minorToInput(f.maxAmountMinor, f.currency ?? 'EUR') : '',
  riskMin: f.riskMin ?? 0,
  flagged: f.flagged ?? false,
  overdue: f.overdue ?? false,
});

/** The filter form: edits a draft, applied on "Apply" or Enter, so the list does not reload on every keystroke. */
export function FiltersPanel({ filter, onApply, opened, onOpenChange, target }: Props) {
  const [draft, setDraft] = useState<Draft>(() => toDraft(filter));
  // Opening the panel (or a new filter while it is open) starts the draft from the applied
  // filter: adjusted while rendering, from the values last seen.
  const [seen, setSeen] = useState({ opened, filter });
  if (seen.opened !== opened || seen.filter !== filter) {
    setSeen({ opened, filter });
    if (opened) setDraft(toDraft(filter));
  }
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const currency = draft.currency ?? 'EUR';
  const min = draft.min.trim() ? parseMinor(draft.min, currency) : undefined;
  const max = draft.max.trim() ? parseMinor(draft.max, currency) : undefined;
  const countryOk = draft.country === '' || /^[A-Z]{2}$/.test(draft.country);
  const amountError =
    min === null || max === null
      ? 'Not an amount'
      : min !== undefined && max !== undefined && min > max
        ? 'The minimum is above the maximum'
        : null;
  const needsCurrency = (min !== undefined || max !== undefined) && !draft.currency;
  const valid = countryOk && !amountError && !needsCurrency;

  function apply() {
    if (!valid) return;
    // The sort is the column headers', not the panel's: applying filters keeps it.
    const next: SavedFilter = { scope: filter.scope, ...(filter.sort ? { sort: filter.sort } : {}) };
    if (draft.status.length) next.status = draft.status as SavedFilter['status'];
    if (draft.reason.length) next.reason = draft.reason as SavedFilter['reason'];
    if (draft.country) next.country = draft.country;
    if (draft.currency) next.currency = draft.currency;
    if (min != null) next.minAmountMinor = min;
    if (max != null) next.maxAmountMinor = max;
    if (draft.riskMin > 0) next.riskMin = draft.riskMin;
    if (draft.flagged) next.flagged = true;
    if (draft.overdue) next.overdue = true;
    onApply(next);
    onOpenChange(false);
  }

  return (
    <Popover
      opened={opened}
      onChange={onOpenChange}
      position="bottom-start"
      width={560}
      shadow="md"
      trapFocus
      returnFocus
      withArrow
      arrowOffset={24}
      // Esc is handled on the form: in an open dropdown it closes only the dropdown.
      closeOnEscape={false}
    >
      <Popover.Target>{target}</Popover.Target>
      <Popover.Dropdown p="md">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            apply();
          }}
          onKeyDown={(e) => {
            if (e.key !== 'Escape') return;
            // A Reason or State list that is open closes itself and keeps what was picked; the panel stays.
            if ((e.target as HTMLElement).getAttribute('aria-expanded') === 'true') return;
            e.stopPropagation();
            onOpenChange(false);
          }}
          aria-label="Queue filters"
          data-testid="filters-panel"
        >
          <Stack gap="sm">
            <SimpleGrid cols={2} spacing="sm">
              <MultiSelect
                label="State"
                placeholder={draft.status.length ? undefined : 'Any state'}
                data={STATUS_DATA}
                value={draft.status}
                onChange={(v) => set('status', v)}
                comboboxProps={{ withinPortal: false }}
                clearable
                size="sm"
              />
              <MultiSelect
                label="Reason"
                placeholder={draft.reason.length ? undefined : 'Any reason'}
                data={REASON_DATA}
                value={draft.reason}
                onChange={(v) => set('reason', v)}
                comboboxProps={{ withinPortal: false }}
                searchable
                clearable
                size="sm"
                maxDropdownHeight={260}
              />
            </SimpleGrid>
            <SimpleGrid cols={4} spacing="sm">
              <TextInput
                label="Buyer country"
                placeholder="e.g. DE"
                value={draft.country}
                maxLength={2}
                onChange={(e) => set('country', e.currentTarget.value.toUpperCase().replace(/[^A-Z]/g, ''))}
                error={countryOk ? undefined : 'Two letters'}
                size="sm"
              />
              <Select
                label="Currency"
                placeholder="Any"
                data={CURRENCIES}
                value={draft.currency}
                onChange={(v) => set('currency', v)}
                comboboxProps={{ withinPortal: false }}
                clearable
                searchable
                size="sm"
                error={needsCurrency ? 'Pick one' : undefined}
              />
              <TextInput
                label="Claim from"
                placeholder="0.00"
                value={draft.min}
                onChange={(e) => set('min', e.currentTarget.value)}
                error={min === null ? 'Not an amount' : undefined}
                size="sm"
                styles={{ input: { textAlign: 'right' } }}
                inputMode="decimal"
              />
              <TextInput
                label="to"
                placeholder="any"
                value={draft.max}
                onChange={(e) => set('max', e.currentTarget.value)}
                error={max === null ? 'Not an amount' : amountError && min != null && max != null ? 'Below the minimum' : undefined}
                size="sm"
                styles={{ input: { textAlign: 'right' } }}
                inputMode="decimal"
              />
            </SimpleGrid>
            <div>
              <Group justify="space-between" mb={4}>
                <Text fz="sm" fw={500}>
                  Minimum buyer risk score
                </Text>
                <Text fz="sm" className="tabular" c={draft.riskMin ? undefined : 'dimmed'}>
                  {draft.riskMin ? `≥ ${draft.riskMin}` : 'any'}
                </Text>
              </Group>
              <Slider
                value={draft.riskMin}
                onChange={(v) => set('riskMin', v)}
                min={0}
                max={100}
                step={5}
                label={(v) => (v ? `≥ ${v}` : 'any')}
                marks={[
                  { value: 0, label: '0' },
                  { value: 40, label: '40' },
                  { value: 70, label: '70' },
                  { value: 100, label: '100' },
                ]}
                // The name goes on the thumb (role="slider"), the part a screen reader lands on.
                thumbLabel="Minimum buyer risk score"
                mb="md"
              />
            </div>
            <Group gap="xl">
              <Checkbox
                label="Flagged serial disputers only"
                checked={draft.flagged}
                onChange={(e) => set('flagged', e.currentTarget.checked)}
              />
              <Switch label="Overdue only" checked={draft.overdue} onChange={(e) => set('overdue', e.currentTarget.checked)} />
            </Group>
            <Group justify="space-between" mt="xs">
              <Button variant="subtle" color="gray" size="xs" onClick={() => setDraft(toDraft({ scope: filter.scope }))}>
                Clear all
              </Button>
              <Group gap="xs">
                <Button variant="default" size="xs" onClick={() => onOpenChange(false)}>
                  Cancel
                </Button>
                <Button type="submit" size="xs" disabled={!valid}>
                  Apply filters
                </Button>
              </Group>
            </Group>
          </Stack>
        </form>
      </Popover.Dropdown>
    </Popover>
  );
}
