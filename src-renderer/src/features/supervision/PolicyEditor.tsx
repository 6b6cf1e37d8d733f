import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useEffect, useMemo, useReducer } from 'react';
import type { PolicyVersionView } from '../../../../src-main/contract/supervision';
import { useMethodMutation } from '../../api/queries';
import { IconAlert } from '../../ui/Icons';
import { useToast } from '../../ui/Toast';
import { PolicyDraftForm } from './PolicyDraftForm';
import { PolicyPreview } from './PolicyPreview';
import { PolicySteps } from './PolicySteps';
import { editorReducer, initialEditorState, previewIsFresh, previewKey } from './policyDraft';
import { fieldOf, HOURS_FIELDS, policyChanges, RATE_REASONS, validateDraft, type Draft } from './policyFields';

/**
 * The editor: the draft as a form validated by the contract's own schema, the difference
 * against the version in force, a replay of the last N decided cases under the draft, then
 * "Publish version N+1" with a required note. Its state is one reducer (policyDraft.ts).
 */
export function PolicyEditor({
  current,
  onOpen,
  onPublished,
}: {
  current: PolicyVersionView;
  onOpen: (caseId: string) => void;
  onPublished: () => void;
}) {
  const [state, dispatch] = useReducer(editorReducer, current, initialEditorState);
  const { draft, base, preview, serverError } = state;
  const previewRun = useMethodMutation('policy.preview');
  const publishRun = useMethodMutation('policy.publish');
  const toast = useToast();

  // Someone published meanwhile and nothing is edited here: follow the new version.
  useEffect(() => dispatch({ type: 'newerPublished', current }), [current]);

  const { errors, policy } = useMemo(() => validateDraft(draft), [draft]);
  const serverField = serverError?.code === 'VALIDATION' ? fieldOf(serverError.field) : null;
  const errorOf = (field: string): string | undefined =>
    errors[field] ?? (serverField === field ? serverError!.message.replace(/^[\w.]+: /, '') : undefined);
  const changes = useMemo(() => policyChanges(current.policy as unknown as Record<string, unknown>, draft), [current.policy, draft]);
  const fresh = previewIsFresh(state, current.version);

  async function runPreview() {
    if (!policy || previewRun.isPending || state.lastN === '') return;
    const key = previewKey(state);
    const r = await previewRun.mutateAsync({ draft: policy, lastN: state.lastN });
    dispatch(r.ok ? { type: 'previewed', key, view: r.value } : { type: 'refused', error: r.error });
  }

  async function publish() {
    dispatch({ type: 'publishTried' });
    if (!policy || !fresh || !state.note.trim() || publishRun.isPending) return;
    // Refused or not, the version in force and the history refetch (a CONFLICT shows who published).
    const r = await publishRun.mutateAsync({ policy, note: state.note.trim(), basedOnVersion: base.version });
    if (!r.ok) return dispatch({ type: 'refused', error: r.error });
    toast({ message: `Version ${r.value.version} is in force: new decisions record it.`, color: 'teal' });
    dispatch({ type: 'published', version: r.value });
    onPublished();
  }

  return (
    <Stack gap="md">
      {current.version > base.version && (
        <Alert
          color="orange"
          variant="light"
          icon={<IconAlert size={18} />}
          title={`Version ${current.version} was published while you edited version ${base.version}`}
          data-testid="policy-conflict"
        >
          <Group justify="space-between">
            <Text fz="sm">
              Your draft is kept. Start again from the new version, or carry your own changes onto it (theirs stay), preview and publish.
            </Text>
            <Group gap="xs">
              <Button size="xs" variant="default" onClick={() => dispatch({ type: 'discard', current })}>
                Discard my draft
              </Button>
              <Button size="xs" onClick={() => dispatch({ type: 'rebase', current })} data-testid="rebase-draft">
                Apply my changes to version {current.version}
              </Button>
            </Group>
          </Group>
        </Alert>
      )}
      {/* The form no wider than 1,240 px: at 2560 × 1440 a deadline's hours and its days in a 1,000-pixel field stood 950 px apart. */}
      <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1240px) 420px', gap: 16, alignItems: 'start' }}>
        <Stack gap="md" data-testid="policy-form">
          <PolicyDraftForm
            draft={draft}
            current={current}
            changes={changes}
            errorOf={errorOf}
            onEdit={(field, value) => dispatch({ type: 'edit', field, value })}
          />
        </Stack>

        <Stack gap="md" style={{ position: 'sticky', top: 0 }}>
          <PolicySteps
            state={state}
            dispatch={dispatch}
            current={current}
            changes={changes}
            errorCount={Object.keys(errors).length}
            valid={policy !== null}
            fresh={fresh}
            previewing={previewRun.isPending}
            publishing={publishRun.isPending}
            onPreview={() => void runPreview()}
            onPublish={() => void publish()}
          />
          {serverError && (!serverField || !(serverField in fieldsOnTheForm(draft))) && (
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
function fieldsOnTheForm(draft: Draft): Record<string, true> {
  const out: Record<string, true> = {};
  for (const f of HOURS_FIELDS) out[f.key] = true;
  for (const r of RATE_REASONS) out[`partialRates.${r}`] = true;
  if ('qualitySampleRate' in draft) out.qualitySampleRate = true;
  if ('doubleDecisionRate' in draft) out.doubleDecisionRate = true;
  if ('calibrationShare' in draft) out.calibrationShare = true;
  return out;
}
