import { Button, Group, NumberInput, Stack, Text, Textarea } from '@mantine/core';
import type { Dispatch } from 'react';
import type { PolicyVersionView } from '../../../../src-main/contract/supervision';
import { Card } from './PolicyCard';
import type { EditorAction, EditorState } from './policyDraft';
import type { Change } from './policyFields';

/**
 * Beside the form: the draft's changes against the version in force, then the two steps,
 * "1 · Preview" (replay the last N decided cases) and "2 · Publish" with a required note.
 */
export function PolicySteps({
  state,
  dispatch,
  current,
  changes,
  errorCount,
  valid,
  fresh,
  previewing,
  publishing,
  onPreview,
  onPublish,
}: {
  state: EditorState;
  dispatch: Dispatch<EditorAction>;
  current: PolicyVersionView;
  changes: Change[];
  /** Fields the schema refuses: no preview until they are fixed. */
  errorCount: number;
  valid: boolean;
  /** The preview shown is of this exact draft. */
  fresh: boolean;
  previewing: boolean;
  publishing: boolean;
  onPreview: () => void;
  onPublish: () => void;
}) {
  const { lastN, note, noteTried } = state;
  // Someone published after this draft was started: "Publish version N+1" would name the version in force.
  const behind = current.version > state.base.version;
  return (
    <>
      <Card
        title={`Changes against version ${current.version}`}
        testId="policy-diff"
        right={
          changes.length > 0 && (
            <Button size="compact-xs" variant="subtle" color="gray" onClick={() => dispatch({ type: 'reset', current })}>
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
        {errorCount > 0 && (
          <Text fz="xs" c="red.7" mt="sm" data-testid="draft-invalid">
            {errorCount} field{errorCount === 1 ? '' : 's'} to fix before a preview.
          </Text>
        )}
      </Card>

      <Card title="1 · Preview">
        <Group gap="xs" wrap="nowrap" mb="xs">
          <Text fz="sm">Replay the last</Text>
          <NumberInput
            size="xs"
            value={lastN}
            onChange={(x) => dispatch({ type: 'lastN', lastN: typeof x === 'number' ? x : '' })}
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
          onClick={onPreview}
          loading={previewing}
          disabled={!valid || lastN === '' || changes.length === 0}
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

      <Card title={behind ? `2 · Publish (version ${current.version} is in force)` : `2 · Publish version ${state.base.version + 1}`}>
        <Textarea
          label="Note"
          description="Why this change: it stays in the history next to the version."
          value={note}
          onChange={(e) => dispatch({ type: 'note', note: e.currentTarget.value })}
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
          onClick={onPublish}
          loading={publishing}
          disabled={behind || !valid || !fresh || changes.length === 0}
          data-testid="publish"
        >
          {behind ? `Apply your changes to version ${current.version} first` : `Publish version ${state.base.version + 1}`}
        </Button>
        <Text fz="xs" c="dimmed" mt={6}>
          {behind
            ? `Someone published version ${current.version} after you started: see the notice above.`
            : !fresh && changes.length > 0
              ? 'Preview this exact draft first.'
              : 'New decisions record the new version; decided cases keep theirs.'}
        </Text>
      </Card>
    </>
  );
}
