import { Badge, Button, Group, Stack, Text, Textarea, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { useMethodMutation } from '../../../api/queries';
import type { CaseView } from '../../../api/types';
import { Section } from '../../../ui/Section';
import { ACTOR_COLORS, actorKind, formatInstant, humanize } from '../../../ui/format';

type Message = CaseView['messages'][number];

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });
const languageName = (code: string): string => languageNames.of(code) ?? code;

/**
 * The parties' messages, each with the language it is written in (an offline guess, marked
 * "probably" when close) and, for messages not in English, the original beside a translation
 * a mediator entered. Translations are the desk's own notes: they never reach the parties.
 */
export function MessagesPanel({ view, canTranslate }: { view: CaseView; canTranslate: boolean }) {
  return (
    <Section title={`Messages between the parties · ${view.messages.length}`} testId="messages-panel">
      {view.messages.length === 0 ? (
        <Text fz="sm" c="dimmed">
          No messages.
        </Text>
      ) : (
        <Stack gap={10}>
          {view.messages.map((m, i) => (
            <MessageRow key={m.seq ?? i} caseId={view.id} message={m} canTranslate={canTranslate} />
          ))}
        </Stack>
      )}
    </Section>
  );
}

function MessageRow({ caseId, message: m, canTranslate }: { caseId: string; message: Message; canTranslate: boolean }) {
  const [editing, setEditing] = useState(false);
  const foreign = !!m.language && m.language.code !== 'en';
  const translatable = canTranslate && m.seq !== undefined && (foreign || !!m.translation);
  return (
    <div className="message" data-by={m.by} data-testid="message">
      <Group gap={6} mb={2} wrap="wrap">
        <Text fz="xs" c="dimmed">
          <Text span inherit fw={600} c={`${ACTOR_COLORS[actorKind(m.by)]}.8`}>
            {humanize(m.by)}
          </Text>{' '}
          · {formatInstant(m.at)}
        </Text>
        {m.language && (
          <Tooltip label="Detected from the text, offline; a hint, not a certainty" withArrow>
            <Badge size="xs" variant="light" color={m.language.sure ? 'gray' : 'yellow'} data-testid="message-language">
              {m.language.sure ? languageName(m.language.code) : `probably ${languageName(m.language.code)}`}
            </Badge>
          </Tooltip>
        )}
      </Group>
      <div
        style={{ display: 'grid', gridTemplateColumns: m.translation || editing ? 'repeat(auto-fit, minmax(240px, 1fr))' : '1fr', gap: 12 }}
      >
        <Text fz="sm" lang={m.language?.code} style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {m.text}
        </Text>
        {editing ? (
          <TranslationEditor caseId={caseId} message={m} onClose={() => setEditing(false)} />
        ) : (
          m.translation && (
            <div data-testid="message-translation">
              <Text fz="xs" c="dimmed" mb={2}>
                Translation by {m.translation.by} · {formatInstant(m.translation.at)}
              </Text>
              <Text fz="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                {m.translation.text}
              </Text>
            </div>
          )
        )}
      </div>
      {translatable && !editing && (
        <Button variant="subtle" size="compact-xs" mt={4} onClick={() => setEditing(true)}>
          {m.translation ? 'Edit translation' : 'Add a translation'}
        </Button>
      )}
    </div>
  );
}

function TranslationEditor({ caseId, message, onClose }: { caseId: string; message: Message; onClose: () => void }) {
  const [text, setText] = useState(message.translation?.text ?? '');
  const [error, setError] = useState<string | null>(null);
  const save = useMethodMutation('case.translateMessage');
  const submit = async () => {
    const r = await save.mutateAsync({ caseId, messageSeq: message.seq!, text });
    if (r.ok) onClose();
    else setError(r.error.message);
  };
  return (
    <Stack gap={6}>
      <Textarea
        label="Your translation (English)"
        description="Seen only by the desk; an empty text removes it."
        autosize
        minRows={2}
        maxLength={20_000}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        error={error}
        data-autofocus
      />
      <Group gap={8}>
        <Button size="xs" onClick={() => void submit()} loading={save.isPending}>
          Save translation
        </Button>
        <Button size="xs" variant="default" onClick={onClose}>
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}
