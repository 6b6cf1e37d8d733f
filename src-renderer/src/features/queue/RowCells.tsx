import type { CSSProperties, ReactNode } from 'react';
import { IconFlag } from '../../ui/Icons';
import { useNow } from '../../ui/clock';
import { formatAmount, formatDuration, formatInstant, humanize, riskColor, STATUS_COLORS, STATUS_LABELS, URGENT_MS } from '../../ui/format';
import type { QueueRow } from '../../api/types';
import type { CaseStatus } from '../../../../src-main/contract/domain';

/*
 * The queue row's cells as plain elements styled by desk.css (`.lite-*`), with Mantine's own
 * colour variables. Why not Mantine's Badge, Text and Tooltip here: a row held about ten
 * Mantine components and one or two floating tooltips, each with its own hooks, and the first
 * page's ~30 rows took 80-150 ms of script between the list's answer and the first row drawn
 * (Chromium CPU profile at sign-in; plain rows took half). Same look, same test ids; a row's
 * explanations are `title`s, as the other cells' full texts already were.
 */

type Tone = 'light' | 'filled';

function LiteBadge({
  color,
  tone = 'light',
  children,
  ...rest
}: { color: string; tone?: Tone; children: ReactNode } & Record<`data-${string}`, string>) {
  const style = {
    '--lb-bg': tone === 'filled' ? `var(--mantine-color-${color}-filled)` : `var(--mantine-color-${color}-light)`,
    '--lb-fg': tone === 'filled' ? 'var(--mantine-color-white)' : `var(--mantine-color-${color}-light-color)`,
  } as CSSProperties;
  return (
    <span className="lite-badge" style={style} {...rest}>
      {children}
    </span>
  );
}

export function RowStatus({ status }: { status: string }) {
  return (
    <LiteBadge color={STATUS_COLORS[status] ?? 'gray'} data-testid="status-badge">
      {STATUS_LABELS[status as CaseStatus] ?? humanize(status)}
    </LiteBadge>
  );
}

export function RowMoney({ minor, currency }: { minor: number; currency: string }) {
  return (
    <span className="tabular lite-nowrap">
      {formatAmount(minor, currency)}
      <span className="lite-dim lite-currency">{currency}</span>
    </span>
  );
}

export function RowRisk({ score, flagged }: { score: number | null; flagged: boolean }) {
  return (
    <span
      className="lite-risk"
      data-testid="risk"
      title={score == null ? 'Score not computed yet' : `Buyer fraud-pattern score ${score} of 100`}
    >
      <LiteBadge color={riskColor(score)} tone={score != null && score >= 40 ? 'filled' : 'light'} data-size="risk">
        {score ?? '–'}
      </LiteBadge>
      {flagged && (
        <span className="lite-flag" role="img" aria-label="Flagged serial disputer" title="Flagged as a serial disputer by an analyst">
          <IconFlag size={14} />
        </span>
      )}
    </span>
  );
}

export function Dim({ children, xs, gap }: { children: ReactNode; xs?: boolean; gap?: boolean }) {
  return <span className={`lite-dim${xs ? ' lite-xs' : ''}${gap ? ' lite-gap' : ''}`}>{children}</span>;
}

/** What the case waits for, in the row's last column. */
export function RowNextStep({ row, mine }: { row: QueueRow; mine: boolean }) {
  if (row.forcedDecision)
    return (
      <LiteBadge color="red" tone="filled">
        Forced decision
      </LiteBadge>
    );
  if (row.overdue && row.needsAction) return <LiteBadge color="red">Deadline missed · review</LiteBadge>;
  if (mine && row.needsAction) return <span className="lite-move lite-strong">Your move</span>;
  if (row.nextDeadlineAt)
    return (
      <span>
        <Dim xs gap>
          {row.nextDeadlineKind ? humanize(row.nextDeadlineKind) : ''}
        </Dim>
        <RowCountdown at={row.nextDeadlineAt} />
      </span>
    );
  if (row.status === 'escalated') return <Waiting since={row.escalatedAt} />;
  if (row.needsAction) return <span className="lite-move">mediator’s move</span>;
  return <Dim>—</Dim>;
}

/** The deadline's live countdown (the one shared clock, as ui/Countdown), red under 12 h and once passed. */
function RowCountdown({ at }: { at: string }) {
  const now = useNow();
  const due = Date.parse(at);
  if (Number.isNaN(due)) return <span>{at}</span>;
  const left = due - now;
  const urgent = left < URGENT_MS;
  return (
    <span
      className="tabular lite-nowrap lite-countdown"
      data-testid="countdown"
      data-urgent={urgent || undefined}
      title={`Due ${formatInstant(at, true)}`}
    >
      {left <= 0 ? `overdue ${formatDuration(left)}` : `in ${formatDuration(left)}`}
    </span>
  );
}

function Waiting({ since }: { since: string }) {
  const now = useNow();
  return <span className="lite-dim tabular">waiting {formatDuration(now - Date.parse(since))}</span>;
}
