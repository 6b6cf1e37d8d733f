import { Badge, Group, Text, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { evidenceUrl } from '../../api/client';
import { formatBytes, formatInstantCompact } from '../../ui/format';
import { loudWarnings, mediaLabel, warningTone, WARNING_LABELS, type EvidenceEntry } from './model';

/**
 * A file's small picture: the stored thumbnail, the first frame of a video, or a labelled
 * tile when the bytes are not in the store (only the description arrived).
 */
export function EvidenceThumb({ entry, size }: { entry: EvidenceEntry; size: number }) {
  const [failed, setFailed] = useState(false);
  const file = entry.file;
  const style = { width: size, height: size };
  if (file?.stored && !failed) {
    if (file.variants.includes('thumb'))
      return (
        <span className="ev-thumb" style={style}>
          <img src={evidenceUrl(file.sha256, 'thumb')} alt="" loading="lazy" decoding="async" onError={() => setFailed(true)} />
        </span>
      );
    if (file.kind === 'video')
      return (
        <span className="ev-thumb" style={style} data-video>
          {/* A fragment start makes Chromium fetch and paint a frame instead of a black box. */}
          <video
            src={`${evidenceUrl(file.sha256, 'original')}#t=0.1`}
            preload="metadata"
            muted
            playsInline
            tabIndex={-1}
            onError={() => setFailed(true)}
          />
          <span className="ev-play" aria-hidden>
            ▶
          </span>
        </span>
      );
  }
  return (
    <span
      className="ev-thumb ev-thumb-empty"
      style={style}
      title={file?.stored === false || !file ? 'Only the description of this file arrived' : 'No preview'}
    >
      <span>{mediaLabel(entry.mediaType)}</span>
      {!file?.stored && <small>no bytes</small>}
    </span>
  );
}

/** Coloured badges for the warnings that matter at a glance (reuse, capture time). */
export function WarningBadges({ entry, max = 3 }: { entry: EvidenceEntry; max?: number }) {
  const loud = loudWarnings(entry);
  if (!loud.length) return null;
  return (
    <Group gap={4} wrap="wrap">
      {loud.slice(0, max).map((w) => (
        <Tooltip key={w.code + w.text} label={w.text} multiline maw={360} openDelay={200}>
          <Badge
            size="xs"
            radius="sm"
            variant={warningTone(w.code) === 'red' ? 'filled' : 'light'}
            color={warningTone(w.code)}
            style={{ textTransform: 'none' }}
            data-testid="evidence-warning-badge"
            data-code={w.code}
            // A narrow card (the review's list at 1024 px) would cut "Used in another case" short: wrap instead.
            styles={{ root: { height: 'auto', maxWidth: '100%' }, label: { whiteSpace: 'normal', overflow: 'visible' } }}
          >
            {WARNING_LABELS[w.code]}
          </Badge>
        </Tooltip>
      ))}
    </Group>
  );
}

/** "JPEG · 1.2 MB · 4032×3024" and "Taken 3 Mar 14:02 · Pixel 7" (what the file itself says). */
export function FileFacts({ entry }: { entry: EvidenceEntry }) {
  const f = entry.file;
  const dims = f?.width && f.height ? `${f.width}×${f.height}` : null;
  return (
    <>
      <Text fz="xs" c="dimmed" truncate>
        {[mediaLabel(f?.mediaType ?? entry.mediaType), formatBytes(f?.sizeBytes ?? entry.sizeBytes), dims].filter(Boolean).join(' · ')}
      </Text>
      {f?.stored && (
        <Text fz="xs" c={f.capturedAt ? 'dark.4' : 'dimmed'} lineClamp={2}>
          {f.capturedAt ? `Taken ${formatInstantCompact(f.capturedAt)}` : f.kind === 'image' ? 'No capture time' : 'Video'}
          {f.device ? ` · ${f.device}` : ''}
        </Text>
      )}
    </>
  );
}
