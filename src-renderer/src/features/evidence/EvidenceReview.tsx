import { ActionIcon, Badge, Box, Button, Group, Kbd, SegmentedControl, Text, Title, Tooltip } from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { evidenceUrl } from '../../api/client';
import { useMethodMutation } from '../../api/queries';
import { Countdown } from '../../ui/Countdown';
import { IconArrowLeft, IconChevronDown, IconChevronUp } from '../../ui/Icons';
import { ACTOR_COLORS, formatInstant, formatInstantCompact, humanize, reasonLabel } from '../../ui/format';
import { useKeys } from '../../ui/keys';
import type { CaseView } from '../../api/types';
import './evidence.css';
import { FileInfo, type VerifyState } from './FileInfo';
import { loudWarnings, reviewLayout, type ReviewColumn, type ReviewGroup, type ReviewItem } from './model';
import { EvidenceThumb, FileFacts, WarningBadges } from './Thumb';
import { Viewer, type ViewerHandle } from './Viewer';

interface Props {
  view: CaseView;
  /** view.evidence index to show first (a thumbnail clicked on the case screen). */
  initialIndex?: number | null;
  onClose: () => void;
}

/**
 * The evidence review: the buyer's and the seller's files side by side, each under the
 * request it answers, and one large viewer. Built for going through many cases quickly:
 * ←/→ (or j/k) walk the files, +/−/0/1 zoom, v re-verifies the hash, Esc goes back.
 */
export function EvidenceReview({ view, initialIndex, onClose }: Props) {
  const layout = useMemo(() => reviewLayout(view), [view]);
  const { order } = layout;
  const [selected, setSelected] = useState<number | null>(() =>
    initialIndex != null && order.some((i) => i.index === initialIndex) ? initialIndex : (order[0]?.index ?? null),
  );
  const position = order.findIndex((i) => i.index === selected);
  const item = position >= 0 ? order[position]! : null;
  const [zoom, setZoom] = useState<number | null>(null);
  const [showOriginal, setShowOriginal] = useState(false);
  const [verify, setVerify] = useState<Record<string, VerifyState>>({});
  const viewer = useRef<ViewerHandle>(null);
  const list = useRef<HTMLDivElement>(null);

  const step = useCallback(
    (delta: number) => {
      if (!order.length) return;
      const at = position < 0 ? 0 : Math.min(order.length - 1, Math.max(0, position + delta));
      setSelected(order[at]!.index);
    },
    [order, position],
  );

  useEffect(() => {
    list.current?.querySelector<HTMLElement>(`[data-index="${selected}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  // Re-hashing a stored file is an action the user asks for (v), not a cached read.
  const { mutateAsync: verifyFile } = useMethodMutation('evidence.verify');
  const runVerify = useCallback(
    async (sha256: string) => {
      setVerify((v) => ({ ...v, [sha256]: { state: 'checking' } }));
      const r = await verifyFile({ sha256 });
      setVerify((v) => ({ ...v, [sha256]: r.ok ? { state: 'done', result: r.value } : { state: 'failed', error: r.error } }));
    },
    [verifyFile],
  );

  const file = item?.entry.file ?? null;
  const canVerify = !!file?.stored;
  useKeys({
    Escape: onClose,
    ArrowRight: () => step(1),
    ArrowLeft: () => step(-1),
    j: () => step(1),
    k: () => step(-1),
    Home: () => step(-order.length),
    End: () => step(order.length),
    '+': () => viewer.current?.zoomIn(),
    '=': () => viewer.current?.zoomIn(),
    '-': () => viewer.current?.zoomOut(),
    '0': () => viewer.current?.fit(),
    '1': () => viewer.current?.actual(),
    o: () => file?.variants.includes('display') && setShowOriginal((s) => !s),
    v: () => item && canVerify && void runVerify(item.entry.sha256),
  });

  const flagged = order.filter((i) => loudWarnings(i.entry).length > 0).length;
  const hasDisplay = !!file?.variants.includes('display');
  const src = file?.stored ? evidenceUrl(file.sha256, file.kind === 'image' && hasDisplay && !showOriginal ? 'display' : 'original') : null;

  return (
    <div className="ev-screen" data-testid="evidence-review">
      <Box px="lg" py="sm" bg="white" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Group justify="space-between" wrap="nowrap">
          <Group gap="md" wrap="nowrap" style={{ minWidth: 0 }}>
            <Tooltip label="Back to the case (Esc)" openDelay={300}>
              <ActionIcon variant="default" size="lg" onClick={onClose} aria-label="Back to the case" aria-keyshortcuts="Escape">
                <IconArrowLeft size={18} />
              </ActionIcon>
            </Tooltip>
            <div style={{ minWidth: 0 }}>
              <Title order={3} fz={20} fw={700}>
                Evidence · <span className="mono">{view.id}</span>
              </Title>
              <Text fz="sm" c="dimmed" truncate data-testid="evidence-context">
                {reasonLabel(view.reason)} · order placed {formatInstant(view.order.placedAt)} ·{' '}
                {view.order.tracking.deliveredAt ? (
                  <>
                    delivered{' '}
                    <Text span inherit c="dark" fw={500}>
                      {formatInstant(view.order.tracking.deliveredAt)}
                    </Text>
                  </>
                ) : (
                  humanize(String(view.order.tracking.status))
                )}{' '}
                · {order.length} file{order.length === 1 ? '' : 's'}
                {flagged > 0 && (
                  <Text span inherit c="red.7" fw={600}>
                    {' '}
                    · {flagged} with warnings
                  </Text>
                )}
              </Text>
            </div>
          </Group>
          <Text fz="xs" c="dimmed" className="ev-keys" style={{ flexShrink: 0 }}>
            <Kbd size="xs">←</Kbd>
            <Kbd size="xs">→</Kbd> or <Kbd size="xs">j</Kbd>
            <Kbd size="xs">k</Kbd> files · <Kbd size="xs">+</Kbd>
            <Kbd size="xs">−</Kbd> zoom · <Kbd size="xs">0</Kbd> fit · <Kbd size="xs">1</Kbd> 100 % · <Kbd size="xs">v</Kbd> verify ·{' '}
            <Kbd size="xs">Esc</Kbd> back
          </Text>
        </Group>
      </Box>

      {order.length === 0 && view.evidenceRequests.length === 0 ? (
        <Box p="xl">
          <Text c="dimmed">No evidence in this case yet: neither party sent a file and no evidence was requested.</Text>
        </Box>
      ) : (
        <div className="ev-body">
          {/* Plain buttons, the one on the stage marked current: a listbox may not hold the request headings between its options. */}
          <div className="ev-columns" ref={list} role="group" aria-label="Evidence files" data-testid="evidence-columns">
            {layout.columns.map((c) => (
              <PartyColumn key={c.party} column={c} view={view} selected={selected} onSelect={setSelected} />
            ))}
          </div>
          <div className="ev-stage">
            {item ? (
              <>
                <Group className="ev-toolbar" justify="space-between" wrap="nowrap" gap="xs">
                  <Group gap={4} wrap="nowrap" style={{ minWidth: 0 }}>
                    <Tooltip label="Previous file (← or k)" openDelay={300}>
                      <ActionIcon
                        variant="subtle"
                        color="gray"
                        onClick={() => step(-1)}
                        disabled={position <= 0}
                        aria-label="Previous file"
                      >
                        <IconChevronUp size={18} style={{ transform: 'rotate(-90deg)' }} />
                      </ActionIcon>
                    </Tooltip>
                    <Text fz="xs" c="dimmed" className="tabular" w={52} ta="center" data-testid="evidence-position">
                      {position + 1} of {order.length}
                    </Text>
                    <Tooltip label="Next file (→ or j)" openDelay={300}>
                      <ActionIcon
                        variant="subtle"
                        color="gray"
                        onClick={() => step(1)}
                        disabled={position >= order.length - 1}
                        aria-label="Next file"
                      >
                        <IconChevronDown size={18} style={{ transform: 'rotate(-90deg)' }} />
                      </ActionIcon>
                    </Tooltip>
                    <Text fz="sm" fw={600} truncate ml={6} title={item.entry.name}>
                      {item.entry.name}
                    </Text>
                  </Group>
                  {file?.kind === 'image' && file.stored && (
                    <Group gap={4} wrap="nowrap">
                      {hasDisplay && (
                        <Tooltip
                          label="The display copy has the orientation applied and metadata removed; the original is the bytes as sent (o)"
                          multiline
                          maw={300}
                          openDelay={300}
                        >
                          <SegmentedControl
                            size="xs"
                            value={showOriginal ? 'original' : 'display'}
                            onChange={(v) => setShowOriginal(v === 'original')}
                            data={[
                              { value: 'display', label: 'Display' },
                              { value: 'original', label: 'Original' },
                            ]}
                            aria-label="Which copy to show"
                          />
                        </Tooltip>
                      )}
                      <ActionIcon variant="default" onClick={() => viewer.current?.zoomOut()} aria-label="Zoom out" aria-keyshortcuts="-">
                        −
                      </ActionIcon>
                      <Text fz="xs" className="tabular" w={44} ta="center" data-testid="evidence-zoom">
                        {zoom === null ? '—' : `${zoom} %`}
                      </Text>
                      <ActionIcon variant="default" onClick={() => viewer.current?.zoomIn()} aria-label="Zoom in" aria-keyshortcuts="+">
                        +
                      </ActionIcon>
                      <Button size="compact-sm" variant="default" onClick={() => viewer.current?.fit()} aria-keyshortcuts="0">
                        Fit
                      </Button>
                      <Button size="compact-sm" variant="default" onClick={() => viewer.current?.actual()} aria-keyshortcuts="1">
                        100 %
                      </Button>
                    </Group>
                  )}
                </Group>
                {src && file ? (
                  <Viewer
                    ref={viewer}
                    kind={file.kind}
                    src={src}
                    alt={`${humanize(String(item.entry.party))}’s file ${item.entry.name}`}
                    onZoomChange={setZoom}
                  />
                ) : (
                  <div className="ev-viewer ev-viewer-empty" data-testid="evidence-viewer" data-state="description-only">
                    <Text fz="sm" c="gray.4" maw={420} ta="center">
                      Only the description of this file arrived with the dispute (name, type, size and SHA-256); the file itself is not in
                      the evidence store.
                    </Text>
                  </div>
                )}
                <FileInfo view={view} item={item} verify={verify[item.entry.sha256]} onVerify={() => void runVerify(item.entry.sha256)} />
              </>
            ) : (
              <div className="ev-viewer ev-viewer-empty">
                <Text fz="sm" c="gray.4">
                  No file has arrived yet.
                </Text>
              </div>
            )}
          </div>
        </div>
      )}
    </div>
  );
}

function PartyColumn({
  column,
  view,
  selected,
  onSelect,
}: {
  column: ReviewColumn;
  view: CaseView;
  selected: number | null;
  onSelect: (index: number) => void;
}) {
  const account = column.party === 'buyer' ? view.buyer : view.seller;
  return (
    <section
      className="ev-column"
      data-party={column.party}
      data-testid={`evidence-column-${column.party}`}
      aria-label={`${humanize(column.party)}’s evidence`}
    >
      <div className="ev-column-head" style={{ borderTopColor: `var(--mantine-color-${ACTOR_COLORS[column.party]}-5)` }}>
        <Text fz="sm" fw={700} c={`${ACTOR_COLORS[column.party]}.8`}>
          {humanize(column.party)}
        </Text>
        <Text fz="xs" c="dimmed" truncate>
          {account.name} · {column.count} file{column.count === 1 ? '' : 's'}
        </Text>
      </div>
      {column.groups.length === 0 && (
        <Text fz="sm" c="dimmed" p="sm">
          No files from the {column.party}, and nothing was asked of them.
        </Text>
      )}
      {column.groups.map((g) => (
        <RequestGroup key={g.key} group={g} selected={selected} onSelect={onSelect} />
      ))}
    </section>
  );
}

function RequestGroup({ group, selected, onSelect }: { group: ReviewGroup; selected: number | null; onSelect: (index: number) => void }) {
  const r = group.request;
  return (
    <div className="ev-group" data-testid="evidence-group" data-request-id={r?.id ?? ''}>
      <div className="ev-group-head">
        {r ? (
          <>
            <Group gap={6} wrap="nowrap" mb={2} justify="space-between">
              <Text fz="xs" fw={700} c="dark.5" style={{ whiteSpace: 'nowrap' }}>
                Request #{group.requestNo}
              </Text>
              <Badge
                size="xs"
                radius="sm"
                variant="light"
                color={r.status === 'open' ? 'orange' : r.status === 'fulfilled' ? 'teal' : 'red'}
                style={{ textTransform: 'none', flexShrink: 0, overflow: 'visible' }}
              >
                {r.status}
              </Badge>
            </Group>
            <Text fz="sm" lineClamp={3} title={r.request} data-testid="evidence-group-request">
              {r.request}
            </Text>
            <Text fz="xs" c="dimmed" mt={2}>
              {r.status === 'open' ? (
                <Countdown at={r.dueAt} size="xs" prefix="due" />
              ) : (
                <>
                  asked {formatInstantCompact(r.requestedAt)}
                  {r.resolvedAt ? ` · ${r.status} ${formatInstantCompact(r.resolvedAt)}` : ''}
                </>
              )}
            </Text>
          </>
        ) : (
          <Text fz="xs" fw={700} c="dark.5" data-testid="evidence-group-request">
            Submitted at escalation
          </Text>
        )}
      </div>
      {group.items.length === 0 ? (
        <Text fz="xs" c="dimmed" px="sm" pb="sm">
          {r?.status === 'expired' ? 'Expired: nothing was sent.' : 'Nothing sent yet.'}
        </Text>
      ) : (
        group.items.map((i) => <FileCard key={i.index} item={i} selected={i.index === selected} onSelect={onSelect} />)
      )}
    </div>
  );
}

function FileCard({ item, selected, onSelect }: { item: ReviewItem; selected: boolean; onSelect: (index: number) => void }) {
  return (
    <button
      type="button"
      className="ev-card"
      aria-current={selected ? 'true' : undefined}
      data-index={item.index}
      data-sha256={item.entry.sha256}
      data-testid="evidence-card"
      onClick={() => onSelect(item.index)}
    >
      <EvidenceThumb entry={item.entry} size={64} />
      <span className="ev-card-text">
        <Text fz="sm" fw={500} truncate title={item.entry.name}>
          {item.entry.name}
        </Text>
        <FileFacts entry={item.entry} />
        <WarningBadges entry={item.entry} />
      </span>
    </button>
  );
}
