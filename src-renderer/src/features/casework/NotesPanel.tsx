import { Badge, Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import type { AppError } from '../../../../src-main/contract/errors';
import { MAX_NOTE_CHARS, type NoteView } from '../../../../src-main/contract/casework';
import { useMethodMutation, useMethodQuery } from '../../api/queries';
import type { Me } from '../../api/types';
import { Refusal } from '../../ui/FormParts';
import { Section } from '../../ui/Section';
import { useToast } from '../../ui/Toast';
import { formatInstant } from '../../ui/format';
import { draftKey, useDraft } from '../case/guard';

/**
 * Internal notes on the case (mediators and supervisors; analysts never see this panel, and
 * the core refuses them the notes). "@oleg" asks that supervisor for a second opinion; the
 * supervisor answers from here, which takes it off their list.
 */
export function NotesPanel({ caseId, me }: { caseId: string; me: Me }) {
  const query = useMethodQuery('notes.list', { caseId });
  const add = useMethodMutation('notes.add');
  const toast = useToast();
  const [draft, update, clearDraft] = useDraft<{ body: string; answers: string | null }>(draftKey(me.userId, caseId, 'note'), () => ({
    body: '',
    answers: null,
  }));
  const [error, setError] = useState<AppError | null>(null);
  const notes = query.data?.notes ?? [];
  const supervisors = query.data?.supervisors ?? [];
  const answering = draft.answers ? notes.find((n) => n.id === draft.answers) : undefined;

  async function submit() {
    const body = draft.body.trim();
    if (!body || add.isPending) return;
    const r = await add.mutateAsync({ caseId, body, ...(draft.answers ? { answers: draft.answers } : {}) });
    if (!r.ok) return setError(r.error);
    setError(null);
    clearDraft();
    toast({
      message: r.value.mention ? `Note saved; ${r.value.mention.name} is asked for a second opinion.` : 'Note saved.',
      color: 'teal',
    });
  }

  return (
    <Section
      title="Internal notes"
      testId="notes-panel"
      extra={
        <Text fz="xs" c="dimmed">
          Mediators and supervisors only; never in letters
        </Text>
      }
    >
      <Stack gap="xs">
        {notes.length === 0 && (
          <Text fz="sm" c="dimmed">
            No notes yet.
          </Text>
        )}
        {notes.map((n) => (
          <NoteLine key={n.id} note={n} me={me} onAnswer={() => update({ answers: n.id })} />
        ))}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <Stack gap={6}>
            {answering && (
              <Group gap="xs">
                <Text fz="xs" c="violet.8">
                  Answering {answering.authorName}’s request
                </Text>
                <Button size="compact-xs" variant="subtle" color="gray" onClick={() => update({ answers: null })}>
                  Cancel answer
                </Button>
              </Group>
            )}
            <Textarea
              aria-label="New internal note"
              placeholder={
                supervisors.length
                  ? `A note for the team. Type @${supervisors[0]!.userId} to ask a supervisor for a second opinion.`
                  : 'A note for the team.'
              }
              value={draft.body}
              onChange={(e) => update({ body: e.currentTarget.value })}
              autosize
              minRows={2}
              maxRows={8}
              maxLength={MAX_NOTE_CHARS}
              data-testid="note-input"
            />
            <Group justify="space-between" wrap="nowrap">
              <Text fz="xs" c="dimmed" style={{ minWidth: 0 }}>
                {supervisors.length ? `Supervisors: ${supervisors.map((s) => `@${s.userId} (${s.name})`).join(', ')}` : ''}
              </Text>
              <Button type="submit" size="xs" loading={add.isPending} disabled={!draft.body.trim()} data-testid="note-add">
                {answering ? 'Send answer' : 'Add note'}
              </Button>
            </Group>
            <Refusal error={error} />
          </Stack>
        </form>
      </Stack>
    </Section>
  );
}

function NoteLine({ note, me, onAnswer }: { note: NoteView; me: Me; onAnswer: () => void }) {
  const mention = note.mention;
  const mayAnswer = mention && mention.userId === me.userId && !mention.answeredAt;
  return (
    <div data-testid="note" style={{ borderLeft: '3px solid var(--mantine-color-gray-3)', paddingLeft: 8 }}>
      <Group gap={6} wrap="wrap">
        <Text fz="xs" fw={600}>
          {note.authorName}
        </Text>
        <Text fz="xs" c="dimmed">
          {formatInstant(note.createdAt)}
        </Text>
        {note.kind === 'consistency' && (
          <Badge size="xs" color="dark.6" variant="outline" radius="sm" style={{ textTransform: 'none' }}>
            Consistency note
          </Badge>
        )}
        {note.answers && (
          <Badge size="xs" color="teal.9" variant="outline" radius="sm" style={{ textTransform: 'none' }}>
            Second opinion
          </Badge>
        )}
        {mention && (
          <Badge
            size="xs"
            color={mention.answeredAt ? 'teal.9' : 'violet.9'}
            variant="outline"
            radius="sm"
            style={{ textTransform: 'none' }}
            data-testid="note-mention"
          >
            {mention.answeredAt ? `${mention.name} answered` : `Asked ${mention.name} for a second opinion`}
          </Badge>
        )}
      </Group>
      <Text fz="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        {note.body}
      </Text>
      {mayAnswer && (
        <Button size="compact-xs" variant="light" color="violet" mt={4} onClick={onAnswer} data-testid="note-answer">
          Answer {note.authorName}
        </Button>
      )}
    </div>
  );
}
