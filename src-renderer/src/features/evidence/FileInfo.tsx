import { ActionIcon, Anchor, Badge, Button, Group, Text, Tooltip } from '@mantine/core';
import { useState } from 'react';
import type { AppError } from '../../../../src-main/contract/errors';
import type { EvidenceVerifyView } from '../../../../src-main/contract/evidence';
import { IconAlert, IconCheck } from '../../ui/Icons';
import { Fact } from '../../ui/Section';
import { ACTOR_COLORS, formatBytes, formatDuration, formatInstant, formatInstantCompact, humanize } from '../../ui/format';
import type { CaseView } from '../../api/types';
import { bySeverity, mediaLabel, shortHash, transformLabel, warningTone, type ReviewItem } from './model';

export type VerifyState = { state: 'checking' } | { state: 'done'; result: EvidenceVerifyView } | { state: 'failed'; error: AppError };

interface Props {
  view: CaseView;
  item: ReviewItem;
  verify: VerifyState | undefined;
  onVerify: () => void;
}

/** Everything known about the file on screen: where it came from, what it says about itself, its hash, and where else it was seen. */
export function FileInfo({ view, item, verify, onVerify }: Props) {
  const { entry } = item;
  const f = entry.file ?? null;
  const party = entry.party === 'seller' ? 'seller' : 'buyer';
  return (
    <div className="ev-info" data-testid="evidence-info">
      <Group gap={8} wrap="nowrap" mb={6} align="baseline">
        <Badge size="sm" radius="sm" variant="light" color={ACTOR_COLORS[party]} style={{ textTransform: 'none', flexShrink: 0 }}>
          {humanize(party)}
        </Badge>
        <Text fz="sm" fw={600} truncate title={entry.name} data-testid="evidence-info-name">
          {entry.name}
        </Text>
        <Text fz="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          sent {formatInstant(entry.submittedAt)}
        </Text>
      </Group>
      <Text fz="xs" c="dark.4" mb={8} lineClamp={2} data-testid="evidence-info-answers">
        {item.request ? (
          <>
            Answers request #{item.requestNo}: <q>{item.request.request}</q>
          </>
        ) : (
          'Sent with the escalated dispute (before a mediator asked for anything).'
        )}
        {entry.note ? <> · Party’s note: {entry.note}</> : null}
      </Text>

      {(entry.warnings ?? []).length > 0 && (
        <div className="ev-warnings" data-testid="evidence-warnings">
          {bySeverity(entry.warnings ?? []).map((w) => (
            <div
              key={w.code + w.text}
              className="ev-warning"
              data-tone={warningTone(w.code)}
              data-code={w.code}
              data-testid="evidence-warning"
            >
              <IconAlert size={14} />
              <span>
                <LinkedCaseIds text={w.text} caseIds={(entry.reuse ?? []).map((m) => m.caseId)} />
              </span>
            </div>
          ))}
        </div>
      )}

      <div className="ev-facts">
        <Fact label="Type">{mediaLabel(f?.mediaType ?? entry.mediaType)}</Fact>
        <Fact label="Size">{formatBytes(f?.sizeBytes ?? entry.sizeBytes)}</Fact>
        <Fact label="Dimensions">{f?.width && f.height ? `${f.width} × ${f.height}` : '—'}</Fact>
        <Fact label="Taken (EXIF)">
          <CaptureTime view={view} capturedAt={f?.capturedAt ?? null} stored={!!f?.stored} />
        </Fact>
        <Fact label="Device">{f?.device ?? '—'}</Fact>
        <Fact label="Perceptual hash">
          {f?.phash ? (
            <Text span className="mono" fz="xs" style={{ whiteSpace: 'nowrap' }}>
              {f.phash}
            </Text>
          ) : (
            '—'
          )}
        </Fact>
      </div>

      <Group gap={8} mt={10} wrap="nowrap" align="center" data-testid="evidence-hash">
        <Text fz="xs" c="dimmed" style={{ flexShrink: 0 }}>
          SHA-256
        </Text>
        <Tooltip label={entry.sha256} openDelay={300} maw={560} multiline>
          <Text span className="mono" fz="xs" data-testid="evidence-sha">
            {shortHash(entry.sha256)}
          </Text>
        </Tooltip>
        <CopyHash sha256={entry.sha256} />
        {f?.stored ? (
          <Button
            size="compact-xs"
            variant="default"
            onClick={onVerify}
            loading={verify?.state === 'checking'}
            data-testid="evidence-verify"
            aria-keyshortcuts="v"
          >
            Verify
          </Button>
        ) : (
          <Text fz="xs" c="dimmed">
            Only the description arrived: nothing to verify.
          </Text>
        )}
        <VerifyResult verify={verify} />
      </Group>

      <Reuse matches={entry.reuse ?? []} />
    </div>
  );
}

/** The case ids a warning names become links to those cases (the Shell opens #/case/ID). */
function LinkedCaseIds({ text, caseIds }: { text: string; caseIds: string[] }) {
  const ids = [...new Set(caseIds)].filter((id) => text.includes(id)).sort((a, b) => b.length - a.length);
  if (!ids.length) return <>{text}</>;
  const pattern = new RegExp(`(${ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
  return (
    <>
      {text.split(pattern).map((part, i) =>
        ids.includes(part) ? (
          <Anchor
            key={i}
            href={`#/case/${encodeURIComponent(part)}`}
            inherit
            fw={600}
            c="inherit"
            underline="always"
            data-testid="evidence-warning-case"
          >
            {part}
          </Anchor>
        ) : (
          part
        ),
      )}
    </>
  );
}

function CaptureTime({ view, capturedAt, stored }: { view: CaseView; capturedAt: string | null; stored: boolean }) {
  if (!capturedAt) return <>{stored ? 'not recorded' : '—'}</>;
  const at = Date.parse(capturedAt);
  const delivered = view.order.tracking.deliveredAt ? Date.parse(view.order.tracking.deliveredAt) : null;
  const placed = Date.parse(view.order.placedAt);
  let relation: { text: string; bad: boolean } | null = null;
  if (at < placed) relation = { text: `${formatDuration(placed - at)} before the order`, bad: true };
  else if (delivered !== null)
    relation =
      at < delivered
        ? { text: `${formatDuration(delivered - at)} before delivery`, bad: true }
        : { text: `${formatDuration(at - delivered)} after delivery`, bad: false };
  return (
    <>
      <span title={formatInstant(capturedAt, true)}>{formatInstantCompact(capturedAt)}</span>
      {relation && (
        <Text fz="xs" c={relation.bad ? 'orange.8' : 'dimmed'} fw={relation.bad ? 600 : undefined} data-testid="capture-relation">
          {relation.text}
        </Text>
      )}
    </>
  );
}

function CopyHash({ sha256 }: { sha256: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    const ok = await copyText(sha256);
    setCopied(ok);
    if (ok) setTimeout(() => setCopied(false), 1500);
  };
  return (
    <Tooltip label={copied ? 'Copied' : 'Copy the full SHA-256'} openDelay={200}>
      <ActionIcon
        size="sm"
        variant="subtle"
        color={copied ? 'teal' : 'gray'}
        onClick={() => void copy()}
        aria-label="Copy the SHA-256"
        data-testid="evidence-copy-hash"
      >
        {copied ? <IconCheck size={14} /> : <CopyGlyph />}
      </ActionIcon>
    </Tooltip>
  );
}

const CopyGlyph = () => (
  <svg
    width={14}
    height={14}
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    strokeWidth={2}
    strokeLinecap="round"
    strokeLinejoin="round"
    aria-hidden
  >
    <rect x="9" y="9" width="12" height="12" rx="2" />
    <path d="M5 15V5a2 2 0 0 1 2-2h10" />
  </svg>
);

/** The clipboard API where the page may use it; the selection fallback under a locked-down Electron. */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

function VerifyResult({ verify }: { verify: VerifyState | undefined }) {
  if (!verify || verify.state === 'checking') return null;
  if (verify.state === 'failed')
    return (
      <Text fz="xs" c="red.7" fw={600} data-testid="evidence-verify-result" data-intact="unknown">
        Could not verify: {verify.error.message}
      </Text>
    );
  const r = verify.result;
  const at = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' }).format(Date.parse(r.checkedAt));
  return r.intact ? (
    <Text fz="xs" c="teal.8" fw={600} data-testid="evidence-verify-result" data-intact="true" title={r.message}>
      Evidence intact ✓{' '}
      <Text span inherit fw={400} c="dimmed">
        (checked at {at})
      </Text>
    </Text>
  ) : (
    <Text fz="xs" c="white" bg="red.7" px={6} fw={600} style={{ borderRadius: 3 }} data-testid="evidence-verify-result" data-intact="false">
      Mismatch: {r.message} (checked at {at})
    </Text>
  );
}

function Reuse({ matches }: { matches: NonNullable<CaseView['evidence'][number]['reuse']> }) {
  if (!matches.length) return null;
  return (
    <div className="ev-reuse" data-testid="evidence-reuse">
      <Text fz="xs" fw={700} tt="uppercase" c="dimmed" mb={4} style={{ letterSpacing: '0.04em' }}>
        The same picture elsewhere · {matches.length}
      </Text>
      <table className="data-table">
        <tbody>
          {matches.map((m) => (
            <tr key={`${m.caseId}-${m.sha256}-${m.party}`} data-testid="evidence-reuse-row">
              <td style={{ whiteSpace: 'nowrap' }}>
                <Anchor href={`#/case/${encodeURIComponent(m.caseId)}`} fz="sm" className="mono" data-testid="evidence-reuse-case">
                  {m.caseId}
                </Anchor>
              </td>
              <td>
                <Text span fz="sm" c={m.sameAccount ? undefined : 'red.7'} fw={m.sameAccount ? undefined : 600}>
                  {m.sameAccount ? `same ${m.party}` : `another account`}
                </Text>{' '}
                <Text span fz="xs" c="dimmed" className="mono">
                  {m.party} {m.accountId}
                </Text>
              </td>
              <td>
                <Text span fz="sm">
                  {transformLabel(m.transform)}
                </Text>
                {m.transform !== 'identical' && (
                  <Text span fz="xs" c="dimmed">
                    {' '}
                    · {m.distance} of 64 bits differ
                  </Text>
                )}
              </td>
              <td style={{ whiteSpace: 'nowrap' }}>
                <Text span fz="xs" c="dimmed">
                  {formatInstant(m.submittedAt)}
                </Text>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
