import { Group, Text, UnstyledButton } from '@mantine/core';
import { useId, useLayoutEffect, useRef, useState } from 'react';
import { RiskBadge } from '../../../ui/RiskBadge';
import { riskColor } from '../../../ui/format';
import type { CaseView } from '../../../api/types';
import { summaryReasons } from './riskSummaryText';

/** Lines the summary takes until opened: with four or more (a buyer at 77) the Reasons field fell below the fold at 1024 × 700. */
const CLAMP_LINES = 2;

/**
 * The buyer's risk for the Decide dialog: it covers the buyer panel, and a decision must not be
 * taken without seeing a score of 92/100 and why. The score and the first reasons in two lines;
 * the rest behind a button (a real one, so Tab and Enter open it; aria-expanded says which way),
 * shown only when the text is cut.
 */
export function RiskSummary({ view }: { view: CaseView }) {
  const risk = view.buyerRisk;
  const flagged = view.buyer.label === 'serial_disputer';
  const [open, setOpen] = useState(false);
  const [cut, setCut] = useState(false);
  const text = useRef<HTMLParagraphElement>(null);
  const id = useId();

  // Whether the clamp hides anything, again whenever the dialog's width changes the line breaks.
  useLayoutEffect(() => {
    const el = text.current;
    if (!el || open) return;
    const measure = () => setCut(el.scrollHeight > el.clientHeight + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [open, risk.reasons]);

  return (
    <Group
      gap="sm"
      wrap="nowrap"
      align="flex-start"
      p="xs"
      bg={`${riskColor(risk.score)}.0`}
      style={{ borderRadius: 'var(--mantine-radius-sm)' }}
      data-testid="decide-risk"
    >
      <RiskBadge score={risk.score} flagged={flagged} size="md" />
      <Text
        ref={text}
        id={id}
        fz="sm"
        lh={1.35}
        lineClamp={open ? undefined : CLAMP_LINES}
        style={{ minWidth: 0, flex: 1 }}
        data-testid="decide-risk-text"
      >
        <Text span inherit fw={600}>
          Buyer risk {risk.score}/100{flagged ? ', flagged as a serial disputer' : ''}
        </Text>
        {risk.reasons.length === 0 ? (
          <Text span inherit c="dimmed">
            {' '}
            · no risk signals
          </Text>
        ) : (
          <>
            {': '}
            {summaryReasons(risk.reasons, risk.reasons.length).join('; ')}
          </>
        )}
      </Text>
      {(cut || open) && (
        <UnstyledButton
          type="button"
          className="risk-more"
          aria-expanded={open}
          aria-controls={id}
          onClick={() => setOpen((o) => !o)}
          data-testid="decide-risk-more"
        >
          {open ? 'Show less' : risk.reasons.length > 1 ? `All ${risk.reasons.length} reasons` : 'Show all'}
        </UnstyledButton>
      )}
    </Group>
  );
}
