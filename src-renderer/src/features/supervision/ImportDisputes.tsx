import { Alert, Button, FileInput, Group, Paper, Progress, Stack, Table, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { IMPORT_CHUNK_BYTES, MAX_IMPORT_BYTES, type ImportView } from '../../../../src-main/contract/imports';
import { call } from '../../api/client';
import { useMethodQuery } from '../../api/queries';
import { formatBytes, formatDuration } from '../../ui/format';

/** While an import runs the card reads its status this often (the notices' progress drives the header's indicator). */
const POLL_MS = 1_000;

/** A slice of the file as base64 (the browser's own encoder: a data URL without its prefix). */
function base64Of(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result.replace(/^data:[^,]*,/, '') : '');
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(blob);
  });
}

/**
 * A dispute file imported from the screen (issue 16 item 3), as `cli import` imports it: the
 * file goes up in chunks, the desk imports it in the background, and this card shows the upload,
 * then lines read with rate and time left, then what was created and which lines were refused
 * and why. Anyone on the Feeds screen sees an import under way, whoever started it.
 */
export function ImportDisputes({ active }: { active: boolean }) {
  const status = useMethodQuery('imports.status', {}, { enabled: active });
  const current = status.data?.current ?? null;
  const running = current?.state === 'uploading' || current?.state === 'importing';
  const { reload } = status;
  useEffect(() => {
    if (!active || !running) return;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [active, running, reload]);

  const [file, setFile] = useState<File | null>(null);
  const [sending, setSending] = useState<{ sent: number; size: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const stop = useRef(false);

  async function send() {
    if (!file) return;
    setError(null);
    if (file.size === 0) return setError(`${file.name} is empty.`);
    if (file.size > MAX_IMPORT_BYTES)
      return setError(`${file.name} is larger than ${formatBytes(MAX_IMPORT_BYTES)}: import it with cli import.`);
    stop.current = false;
    const begun = await call('imports.begin', { fileName: file.name, sizeBytes: file.size });
    if (!begun.ok) return setError(begun.error.message);
    const importId = begun.value.importId;
    reload();
    setSending({ sent: 0, size: file.size });
    try {
      for (let offset = 0; offset < file.size; offset += IMPORT_CHUNK_BYTES) {
        if (stop.current) return;
        const dataBase64 = await base64Of(file.slice(offset, offset + IMPORT_CHUNK_BYTES));
        const sent = await call('imports.append', { importId, offset, dataBase64 });
        if (!sent.ok) return setError(sent.error.message);
        setSending({ sent: sent.value.receivedBytes, size: file.size });
      }
      const started = await call('imports.start', { importId });
      if (!started.ok) return setError(started.error.message);
      setFile(null);
    } catch (e) {
      setError(`${file.name} could not be read: ${(e as Error).message}`);
    } finally {
      setSending(null);
      reload();
    }
  }

  async function cancel() {
    stop.current = true;
    if (!current) return;
    const r = await call('imports.cancel', { importId: current.importId });
    if (!r.ok) setError(r.error.message);
    reload();
  }

  return (
    <Paper
      withBorder
      p="md"
      radius="md"
      mb="md"
      maw={1200}
      component="section"
      aria-label="Import disputes from a file"
      data-testid="import-card"
    >
      <Group justify="space-between" align="flex-start" gap="md" wrap="wrap">
        <Stack gap={2} style={{ flex: '1 1 320px', minWidth: 0 }}>
          <Text fw={700}>Import disputes from a file</Text>
          <Text fz="xs" c="dimmed">
            One escalated dispute per line (NDJSON), as <code>cli import</code> reads it. Disputes already here are skipped or updated while
            nobody has taken them; bad lines are listed below and the rest are imported.
          </Text>
        </Stack>
        {!running && !sending && (
          <Group gap="xs" align="flex-end" wrap="nowrap" style={{ flex: '0 1 460px', minWidth: 0 }}>
            <FileInput
              size="xs"
              label="Dispute file"
              placeholder="Choose an .ndjson file"
              accept=".ndjson,.jsonl,.json,application/x-ndjson,application/json,text/plain"
              value={file}
              onChange={setFile}
              clearable
              // Mantine's placeholder grey is 3.0:1 on white; gray.7 reads at 4.5:1 or more (WCAG AA).
              styles={{ placeholder: { color: 'var(--mantine-color-gray-7)' } }}
              style={{ flex: 1, minWidth: 0 }}
              data-testid="import-file"
            />
            <Button size="xs" disabled={!file} onClick={() => void send()} data-testid="import-start">
              Import
            </Button>
          </Group>
        )}
      </Group>
      {error && (
        <Alert color="red" variant="light" p="xs" mt="sm" role="alert" data-testid="import-error">
          {error}
        </Alert>
      )}
      {sending && !running ? (
        <Uploading sent={sending.sent} size={sending.size} onCancel={() => void cancel()} />
      ) : current ? (
        <ImportState view={current} uploadingHere={sending} onCancel={() => void cancel()} />
      ) : null}
    </Paper>
  );
}

function Uploading({ sent, size, onCancel }: { sent: number; size: number; onCancel: () => void }) {
  const percent = size ? Math.round((sent / size) * 100) : 0;
  return <ProgressLine text={`Uploading: ${formatBytes(sent)} of ${formatBytes(size)}`} percent={percent} onCancel={onCancel} />;
}

/** Where an upload or an import stands, with Cancel. */
function ProgressLine({ text, percent, animated, onCancel }: { text: string; percent: number; animated?: boolean; onCancel: () => void }) {
  return (
    <Stack gap={4} mt="sm" role="status" aria-label={text} data-testid="import-progress">
      <Group justify="space-between" wrap="nowrap">
        <Text fz="sm">{text}</Text>
        <Button size="compact-xs" variant="subtle" color="red" onClick={onCancel}>
          Cancel
        </Button>
      </Group>
      <Progress value={percent} size="md" animated={animated} aria-hidden />
    </Stack>
  );
}

function ImportState({
  view: v,
  uploadingHere,
  onCancel,
}: {
  view: ImportView;
  uploadingHere: { sent: number; size: number } | null;
  onCancel: () => void;
}) {
  if (v.state === 'uploading') return <Uploading sent={uploadingHere?.sent ?? v.receivedBytes} size={v.sizeBytes} onCancel={onCancel} />;
  if (v.state === 'importing') {
    const left = v.progress.secondsLeft === null ? 'estimating time left' : `about ${formatDuration(v.progress.secondsLeft * 1000)} left`;
    const text = `Importing ${v.fileName}: ${v.progress.lines.toLocaleString()} lines read (${v.progress.percent} %), ${v.progress.perSecond.toLocaleString()} a second, ${left}`;
    return <ProgressLine text={text} percent={v.progress.percent} animated onCancel={onCancel} />;
  }
  const c = v.counts;
  const verdict =
    v.state === 'done' ? 'Imported' : v.state === 'cancelled' ? 'Cancelled (the disputes read before are imported)' : 'Stopped';
  return (
    <Stack gap="xs" mt="sm" data-testid="import-result">
      <Text fz="sm" role="status">
        <b>{verdict}</b> {v.fileName}: {c.created.toLocaleString()} new, {c.updated.toLocaleString()} updated,{' '}
        {c.unchanged.toLocaleString()} already here, <span data-testid="import-refused">{c.refused.toLocaleString()} refused</span> of{' '}
        {c.read.toLocaleString()} lines, by {v.startedBy}.
      </Text>
      {v.error && (
        <Alert color="red" variant="light" p="xs" role="alert">
          {v.error}
        </Alert>
      )}
      {v.problems.length > 0 && (
        // Focusable, so the refused lines scroll from the keyboard too.
        <div style={{ maxHeight: 240, overflow: 'auto' }} tabIndex={0} role="region" aria-label="Refused lines">
          <Table fz="xs" verticalSpacing={2} className="data-table content-width">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Line</Table.Th>
                <Table.Th>Field</Table.Th>
                <Table.Th>Why it was refused</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {v.problems.map((p) => (
                <Table.Tr key={`${p.line}-${p.field ?? ''}`}>
                  <Table.Td>{p.line}</Table.Td>
                  <Table.Td>{p.field ?? '—'}</Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{p.message}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {c.refused > v.problems.length && (
            <Text fz="xs" c="dimmed">
              The first {v.problems.length} of {c.refused.toLocaleString()} refused lines.
            </Text>
          )}
        </div>
      )}
    </Stack>
  );
}
