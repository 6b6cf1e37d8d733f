import {
  Alert,
  Badge,
  Box,
  Button,
  Group,
  Loader,
  NumberInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
} from '@mantine/core';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { AppError } from '../../../../src-main/contract/errors';
import type { PolicyPreviewView, PolicyVersionView } from '../../../../src-main/contract/supervision';
import { useMethodMutation, useMethodQuery } from '../../api/queries';
import { IconAlert } from '../../ui/Icons';
import { useToast } from '../../ui/Toast';
import { formatBytes, formatInstant, formatInstantCompact } from '../../ui/format';
import type { Me } from '../../api/types';
import { PolicyPreview } from './PolicyPreview';
import { fieldOf, HOURS_FIELDS, policyChanges, RATE_REASONS, reasonName, rebaseDraft, validateDraft, type Draft } from './policyFields';
import { Empty, ScreenHeader } from './shared';

type Tab = 'edit' | 'history';
const EXAMPLE_PRICE = 10_000; // 100.00 of a two-decimal currency: "a 100.00 item refunds 50.00"

const toDraft = (p: PolicyVersionView['policy']): Draft => JSON.parse(JSON.stringify(p)) as Draft;

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
            onChange={(v) => setTab(v as Tab)}
            data={[
              { value: 'edit', label: 'Edit and preview' },
              { value: 'history', label: `History${history.data ? ` · ${history.data.length}` : ''}` },
            ]}
            aria-label="Policy view"
            data-testid="policy-tab"
          />
        }
      />
      {(current.error || history.error) && (
        <Alert color="red" variant="light" title="The policy could not be loaded" mb="md" role="alert">
          {(current.error ?? history.error)!.message}
        </Alert>
      )}
      {!cur ? (
        current.loading && (
          <Group justify="center" p="xl">
            <Loader size="sm" />
          </Group>
        )
      ) : (
        <>
          <Box style={{ display: tab === 'edit' ? 'block' : 'none' }}>
            <Editor current={cur} onOpen={onOpen} onPublished={() => setTab('history')} />
          </Box>
          {tab === 'history' && <History versions={history.data ?? []} loading={history.loading} />}
        </>
      )}
    </Box>
  );
}

// ---------------------------------------------------------------- the editor

function Editor({
  current,
  onOpen,
  onPublished,
}: {
  current: PolicyVersionView;
  onOpen: (caseId: string) => void;
  onPublished: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => toDraft(current.policy));
  // The version the draft started from (and its policy): publishing is refused (CONFLICT) if another came since.
  const [baseView, setBaseView] = useState<Pick<PolicyVersionView, 'version' | 'policy'>>(current);
  const setBase = (v: Pick<PolicyVersionView, 'version' | 'policy'>) => setBaseView({ version: v.version, policy: v.policy });
  const base = baseView.version;
  const [serverError, setServerError] = useState<AppError | null>(null);
  const [lastN, setLastN] = useState<number | ''>(200);
  const [preview, setPreview] = useState<{ key: string; view: PolicyPreviewView } | null>(null);
  const previewRun = useMethodMutation('policy.preview');
  const previewing = previewRun.isPending;
  const [note, setNote] = useState('');
  const [noteTried, setNoteTried] = useState(false);
  const publishRun = useMethodMutation('policy.publish');
  const publishing = publishRun.isPending;
  const toast = useToast();

  // Someone published meanwhile and nothing is edited here: follow the new version.
  const untouched = policyChanges(toDraft(baseView.policy), draft).length === 0;
  useEffect(() => {
    if (current.version > base && untouched) {
      setDraft(toDraft(current.policy));
      setBase(current);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [current.version]);

  const { errors, policy } = useMemo(() => validateDraft(draft), [draft]);
  const serverField = serverError?.code === 'VALIDATION' ? fieldOf(serverError.field) : null;
  const errorOf = (field: string): string | undefined =>
    errors[field] ?? (serverField === field ? serverError!.message.replace(/^[\w.]+: /, '') : undefined);
  const changes = useMemo(() => policyChanges(current.policy as unknown as Record<string, unknown>, draft), [current.policy, draft]);
  const draftKey = JSON.stringify(draft);
  const previewKey = `${draftKey}|${base}|${lastN}`;
  const fresh = preview !== null && preview.key === previewKey && preview.view.basedOnVersion === current.version;

  const set = (field: string, value: unknown) => {
    setServerError(null);
    setDraft((d) => {
      if (field.startsWith('partialRates.')) return { ...d, partialRates: { ...d.partialRates, [field.slice(13)]: value as number | '' } };
      return { ...d, [field]: value };
    });
  };

  async function runPreview() {
    if (!policy || previewing || lastN === '') return;
    const key = previewKey;
    const r = await previewRun.mutateAsync({ draft: policy, lastN });
    if (!r.ok) return setServerError(r.error);
    setServerError(null);
    setPreview({ key, view: r.value });
  }

  async function publish() {
    setNoteTried(true);
    if (!policy || !fresh || !note.trim() || publishing) return;
    // Refused or not, the version in force and the history refetch (a CONFLICT shows who published).
    const r = await publishRun.mutateAsync({ policy, note: note.trim(), basedOnVersion: base });
    if (!r.ok) return setServerError(r.error);
    toast({ message: `Version ${r.value.version} is in force: new decisions record it.`, color: 'teal' });
    setBase(r.value);
    setDraft(toDraft(r.value.policy));
    setNote('');
    setNoteTried(false);
    setPreview(null);
    setServerError(null);
    onPublished();
  }

  const changedField = (field: string) => changes.some((c) => c.field === field);
  const currentRates = current.policy.partialRates as Record<string, number>;
  const hasSample = 'qualitySampleRate' in draft;

  return (
    <Stack gap="md">
      {current.version > base && (
        <Alert
          color="orange"
          variant="light"
          icon={<IconAlert size={18} />}
          title={`Version ${current.version} was published while you edited version ${base}`}
          data-testid="policy-conflict"
        >
          <Group justify="space-between">
            <Text fz="sm">
              Your draft is kept. Start again from the new version, or carry your own changes onto it (theirs stay), preview and publish.
            </Text>
            <Group gap="xs">
              <Button
                size="xs"
                variant="default"
                onClick={() => (setDraft(toDraft(current.policy)), setBase(current), setPreview(null), setServerError(null))}
              >
                Discard my draft
              </Button>
              <Button
                size="xs"
                onClick={() => (
                  setDraft(
                    rebaseDraft(
                      baseView.policy as unknown as Record<string, unknown>,
                      draft,
                      current.policy as unknown as Record<string, unknown>,
                    ),
                  ),
                  setBase(current),
                  setPreview(null),
                  setServerError(null)
                )}
                data-testid="rebase-draft"
              >
                Apply my changes to version {current.version}
              </Button>
            </Group>
          </Group>
        </Alert>
      )}
      <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) 420px', gap: 16, alignItems: 'start' }}>
        <Stack gap="md" data-testid="policy-form">
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
                    onChange={(x) => set(f.key, typeof x === 'number' ? x : '')}
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

          <Card title="Missed evidence" hint="When an evidence request expires and no other is open (DOMAIN.md rule 4).">
            <Switch
              checked={draft.defaultOnMissedEvidence === true}
              onChange={(e) => set('defaultOnMissedEvidence', e.currentTarget.checked)}
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
            hint="Option A refunds min(claim, rate × item price); the buyer keeps the item. A rate between 0 and 1."
          >
            <table className="sv-table" style={{ background: 'transparent' }}>
              <thead>
                <tr>
                  <th>Reason</th>
                  <th style={{ width: 170 }}>Rate (0–1)</th>
                  <th style={{ width: 80, textAlign: 'right' }}>Share</th>
                  <th style={{ width: 150, textAlign: 'right' }}>A 100.00 item refunds</th>
                  <th style={{ width: 90, textAlign: 'right' }}>In force</th>
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
                          value={v}
                          onChange={(x) => set(field, typeof x === 'number' ? x : '')}
                          min={0}
                          max={1}
                          step={0.05}
                          decimalScale={4}
                          clampBehavior="none"
                          error={errorOf(field)}
                          aria-label={`Partial rate for ${reasonName(r)}`}
                          data-testid={`rate-${r}`}
                        />
                      </td>
                      <td className="num" style={{ verticalAlign: 'middle' }}>
                        {typeof v === 'number' ? `${Math.round(v * 1000) / 10} %` : '—'}
                      </td>
                      <td className="num" style={{ verticalAlign: 'middle' }}>
                        {typeof v === 'number' && v >= 0 && v <= 1 ? (Math.round(v * EXAMPLE_PRICE) / 100).toFixed(2) : '—'}
                      </td>
                      <td className="num" style={{ verticalAlign: 'middle' }}>
                        <Text span fz="sm" c={changed ? 'dimmed' : undefined} td={changed ? 'line-through' : undefined}>
                          {currentRates[r]}
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
              {hasSample && (
                <NumberInput
                  label="Quality sample"
                  description="Share of closed cases sent for a quality review (0–1)."
                  value={draft.qualitySampleRate as number | ''}
                  onChange={(x) => set('qualitySampleRate', typeof x === 'number' ? x : '')}
                  min={0}
                  max={1}
                  step={0.01}
                  decimalScale={4}
                  clampBehavior="none"
                  error={errorOf('qualitySampleRate')}
                  w={260}
                  className={changedField('qualitySampleRate') ? 'sv-field-changed' : undefined}
                  data-testid="field-qualitySampleRate"
                />
              )}
              <div>
                <Text fz="sm" fw={500}>
                  Evidence files
                </Text>
                <Text fz="xs" c="dimmed">
                  Images up to {formatBytes(current.policy.maxImageBytes)}, videos up to {formatBytes(current.policy.maxVideoBytes)} (kept
                  as they are).
                </Text>
              </div>
            </Group>
          </Card>
        </Stack>

        <Stack gap="md" style={{ position: 'sticky', top: 0 }}>
          <Card
            title={`Changes against version ${current.version}`}
            testId="policy-diff"
            right={
              changes.length > 0 && (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  color="gray"
                  onClick={() => (setDraft(toDraft(current.policy)), setServerError(null))}
                >
                  Reset
                </Button>
              )
            }
          >
            {changes.length === 0 ? (
              <Text fz="sm" c="dimmed">
                No changes yet. Edit a field on the left: the difference shows here.
              </Text>
            ) : (
              <Stack gap={6}>
                {changes.map((c) => (
                  <div key={c.field} data-testid="diff-row">
                    <Text fz="sm" fw={500}>
                      {c.label}
                    </Text>
                    <Text fz="sm" className="tabular">
                      <span className="sv-diff-old">{c.before}</span> → <span className="sv-diff-new">{c.after}</span>
                    </Text>
                  </div>
                ))}
              </Stack>
            )}
            {Object.keys(errors).length > 0 && (
              <Text fz="xs" c="red.7" mt="sm" data-testid="draft-invalid">
                {Object.keys(errors).length} field{Object.keys(errors).length === 1 ? '' : 's'} to fix before a preview.
              </Text>
            )}
          </Card>

          <Card title="1 · Preview">
            <Group gap="xs" wrap="nowrap" mb="xs">
              <Text fz="sm">Replay the last</Text>
              <NumberInput
                size="xs"
                value={lastN}
                onChange={(x) => setLastN(typeof x === 'number' ? x : '')}
                min={1}
                max={1000}
                step={50}
                allowDecimal={false}
                w={90}
                aria-label="How many decided cases"
                data-testid="preview-n"
              />
              <Text fz="sm">decided cases under the draft.</Text>
            </Group>
            <Button
              fullWidth
              onClick={() => void runPreview()}
              loading={previewing}
              disabled={!policy || lastN === '' || changes.length === 0}
              data-testid="run-preview"
            >
              Preview on the last {lastN || 'N'} decided cases
            </Button>
            <Text fz="xs" c="dimmed" mt={6}>
              {changes.length === 0
                ? 'Change something first.'
                : fresh
                  ? 'Preview is up to date: see the cases below.'
                  : 'Each case’s recorded commands run again under the draft; nothing is stored.'}
            </Text>
          </Card>

          <Card title={`2 · Publish version ${base + 1}`}>
            <Textarea
              label="Note"
              description="Why this change: it stays in the history next to the version."
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              autosize
              minRows={2}
              maxRows={6}
              maxLength={2000}
              error={noteTried && !note.trim() ? 'A note is required' : undefined}
              aria-label="Publish note"
              data-testid="publish-note"
            />
            <Button
              mt="sm"
              fullWidth
              color="indigo"
              onClick={() => void publish()}
              loading={publishing}
              disabled={!policy || !fresh || changes.length === 0}
              data-testid="publish"
            >
              Publish version {base + 1}
            </Button>
            <Text fz="xs" c="dimmed" mt={6}>
              {!fresh && changes.length > 0
                ? 'Preview this exact draft first.'
                : 'New decisions record the new version; decided cases keep theirs.'}
            </Text>
          </Card>

          {serverError && (!serverField || !(serverField in errorsFromFields(draft))) && (
            <Alert
              color="red"
              variant="light"
              icon={<IconAlert size={18} />}
              title={serverError.code === 'CONFLICT' ? 'Not published' : 'Refused'}
              role="alert"
              data-testid="policy-refusal"
            >
              {serverError.message}
            </Alert>
          )}
        </Stack>
      </div>

      {preview && <PolicyPreview preview={preview.view} stale={!fresh} onOpen={onOpen} />}
      {!preview && changes.length > 0 && policy && (
        <Text fz="sm" c="dimmed" ta="center" p="md" data-testid="preview-hint">
          Preview the draft to see, case by case, which outcomes and refunds would change.
        </Text>
      )}
    </Stack>
  );
}

/** The fields the form shows (a server error on one of them sits next to it, not in the alert). */
function errorsFromFields(draft: Draft): Record<string, true> {
  const out: Record<string, true> = {};
  for (const f of HOURS_FIELDS) out[f.key] = true;
  for (const r of RATE_REASONS) out[`partialRates.${r}`] = true;
  if ('qualitySampleRate' in draft) out.qualitySampleRate = true;
  return out;
}

function FieldNote({ now, was }: { now: string | null; was: string | null }) {
  if (!now && !was) return null;
  return (
    <Text fz={11} c={was ? 'indigo.7' : 'dimmed'} lh={1.1} ta="right" pr={28} style={{ whiteSpace: 'nowrap', pointerEvents: 'none' }}>
      {was ?? now}
    </Text>
  );
}

function Card({
  title,
  hint,
  right,
  children,
  testId,
}: {
  title: string;
  hint?: string;
  right?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div className="sv-card" data-testid={testId}>
      <div className="sv-card-head">
        <div>
          <div className="sv-card-title">{title}</div>
          {hint && (
            <Text fz="xs" c="dimmed" mt={2}>
              {hint}
            </Text>
          )}
        </div>
        {right}
      </div>
      <div className="sv-card-body">{children}</div>
    </div>
  );
}

// ---------------------------------------------------------------- history

function History({ versions, loading }: { versions: PolicyVersionView[]; loading: boolean }) {
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
            const changes = prev
              ? policyChanges(prev.policy as unknown as Record<string, unknown>, v.policy as unknown as Record<string, unknown>)
              : null;
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
