import { Badge, Button, Group, Kbd, Stack, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { Countdown } from '../../../ui/Countdown';
import { IconFile } from '../../../ui/Icons';
import { Section } from '../../../ui/Section';
import { ACTOR_COLORS, actorKind, formatBytes, formatInstant, humanize } from '../../../ui/format';
import { loudWarnings } from '../../evidence/model';
import { EvidenceThumb, WarningBadges } from '../../evidence/Thumb';
import type { CaseView } from '../../../api/types';

export function EvidencePanel({ view, onOpenReview }: { view: CaseView; onOpenReview?: (index: number | null) => void }) {
  const requests = view.evidenceRequests;
  const requestNo = new Map(requests.map((r, i) => [r.id, i + 1]));
  const flagged = view.evidence.filter((e) => loudWarnings(e).length > 0).length;
  return (
    <Section
      title={`Evidence · ${view.evidence.length} file${view.evidence.length === 1 ? '' : 's'}`}
      testId="evidence-panel"
      extra={
        onOpenReview && view.evidence.length > 0 ? (
          <Group gap="xs" wrap="nowrap">
            {flagged > 0 && (
              <Text fz="xs" c="red.7" fw={600} data-testid="evidence-flagged-count">
                {flagged} with warnings
              </Text>
            )}
            <Button
              size="compact-sm"
              variant="light"
              onClick={() => onOpenReview(null)}
              rightSection={<Kbd size="xs">v</Kbd>}
              aria-keyshortcuts="v"
              data-testid="open-evidence-review"
            >
              Open evidence review
            </Button>
          </Group>
        ) : undefined
      }
    >
      {requests.length > 0 && (
        <Stack gap={6} mb="md">
          {requests.map((r, i) => (
            <Group key={r.id} gap="sm" wrap="nowrap" align="flex-start" data-testid="evidence-request">
              <Badge
                size="sm"
                radius="sm"
                variant="light"
                color={r.status === 'open' ? 'orange' : r.status === 'fulfilled' ? 'teal' : 'red'}
                w={86}
                style={{ flexShrink: 0, textTransform: 'none' }}
              >
                #{i + 1} {r.status}
              </Badge>
              <div style={{ minWidth: 0, flex: 1 }}>
                <Text fz="sm">
                  <Text span inherit fw={600} c={`${ACTOR_COLORS[r.party]}.8`}>
                    {r.party === 'buyer' ? 'Buyer' : 'Seller'}:
                  </Text>{' '}
                  {r.request}
                </Text>
                <Text fz="xs" c="dimmed">
                  asked by {r.requestedBy}, {formatInstant(r.requestedAt)} ·{' '}
                  {r.status === 'open' ? (
                    <Countdown at={r.dueAt} size="xs" prefix="due" />
                  ) : r.resolvedAt ? (
                    `${r.status} ${formatInstant(r.resolvedAt)}`
                  ) : (
                    `due ${formatInstant(r.dueAt)}`
                  )}
                </Text>
              </div>
            </Group>
          ))}
        </Stack>
      )}
      {view.evidence.length === 0 ? (
        <Text fz="sm" c="dimmed">
          No files yet.
        </Text>
      ) : (
        <div className="fit-table">
          <table className="data-table" data-testid="evidence-table">
            <thead>
              <tr>
                <th>From</th>
                <th>File</th>
                <th className="wide-only">Type</th>
                <th style={{ textAlign: 'right' }}>Size</th>
                <th className="wide-only">SHA-256</th>
                <th>Submitted</th>
                <th>Answers</th>
              </tr>
            </thead>
            <tbody>
              {view.evidence.map((e, i) => (
                <tr key={`${e.sha256}-${i}`} data-testid="evidence-row">
                  <td>
                    <Text span fz="sm" fw={500} c={`${ACTOR_COLORS[actorKind(e.party)]}.8`}>
                      {humanize(e.party)}
                    </Text>
                  </td>
                  {/* The file name gives way first when the card narrows (cqi: a share of the table's container). */}
                  <td style={{ maxWidth: 'min(280px, 30cqi)' }}>
                    <Group gap={8} wrap="nowrap" align="flex-start">
                      {e.file?.stored && onOpenReview ? (
                        <UnstyledButton onClick={() => onOpenReview(i)} aria-label={`Review ${e.name}`} style={{ flexShrink: 0 }}>
                          <EvidenceThumb entry={e} size={40} />
                        </UnstyledButton>
                      ) : (
                        <IconFile size={14} color="var(--mantine-color-gray-6)" style={{ flexShrink: 0, marginTop: 3 }} />
                      )}
                      <div style={{ minWidth: 0 }}>
                        <Text fz="sm" truncate title={e.name}>
                          {e.name}
                        </Text>
                        {e.note && (
                          <Text fz="xs" c="dimmed">
                            {e.note}
                          </Text>
                        )}
                        <WarningBadges entry={e} />
                      </div>
                    </Group>
                  </td>
                  <td className="wide-only">
                    <Text fz="xs" c="dimmed">
                      {e.mediaType}
                    </Text>
                  </td>
                  <td className="num">{formatBytes(e.sizeBytes)}</td>
                  <td className="wide-only">
                    <Tooltip label={e.sha256} openDelay={300}>
                      <span className="mono">{e.sha256.slice(0, 10)}…</span>
                    </Tooltip>
                  </td>
                  <td style={{ whiteSpace: 'nowrap' }}>{formatInstant(e.submittedAt)}</td>
                  <td style={{ whiteSpace: 'nowrap' }}>
                    {e.requestId ? (
                      `Request #${requestNo.get(e.requestId) ?? '?'}`
                    ) : (
                      <Text span fz="sm" c="dimmed">
                        before escalation
                      </Text>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
