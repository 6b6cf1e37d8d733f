import { ActionIcon, Alert, Badge, Box, Button, Center, Group, Kbd, Loader, ScrollArea, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type { AppError } from '../../../../src-main/contract/errors';
import { useMethodMutation, useMethodQuery } from '../../api/queries';
import { Countdown } from '../../ui/Countdown';
import { IconAlert, IconArrowLeft, IconChevronDown, IconChevronUp } from '../../ui/Icons';
import { Money } from '../../ui/Money';
import { StatusBadge } from '../../ui/StatusBadge';
import { useToast } from '../../ui/Toast';
import { formatInstant, reasonLabel } from '../../ui/format';
import { dialogOpen, isTyping, useKeys } from '../../ui/keys';
import type { CaseView, Me } from '../../api/types';
import { EvidenceReview } from '../evidence/EvidenceReview';
import { DecideDialog, ProposeDialog, RequestEvidenceDialog } from './dialogs';
import { ReleaseDialog } from './ReleaseDialog';
import { BuyerPanel } from './panels/BuyerPanel';
import { ClaimPanel } from './panels/ClaimPanel';
import { DeadlinesPanel } from './panels/DeadlinesPanel';
import { DecisionPanel } from './panels/DecisionPanel';
import { EvidencePanel } from './panels/EvidencePanel';
import { MessagesPanel } from './panels/MessagesPanel';
import { NegotiationPanel } from './panels/NegotiationPanel';
import { OrderPanel } from './panels/OrderPanel';
import { ProposalPanel } from './panels/ProposalPanel';
import { SellerPanel } from './panels/SellerPanel';
import { TimelinePanel } from './panels/TimelinePanel';
import { WaitingOnYou } from './panels/WaitingOnYou';
import { allowedActions, appealReview } from './permissions';
import { AppealReviewPanel, type Verdict } from './panels/AppealReviewPanel';
import './case.css';
import { BlindDecisionPanel } from './panels/BlindDecisionPanel';
import { usePresence } from '../../api/presence';
import { PresenceLine } from '../../ui/Presence';
import type { PresenceActivity } from '../../../../src-main/contract/presence';
import { ChecklistPanel } from '../casework/ChecklistPanel';
import { NotesPanel } from '../casework/NotesPanel';
import { RelatedPanel } from '../casework/RelatedPanel';

/** Opens another case (the shell follows the address). */
const openCase = (id: string) => (window.location.hash = `#/case/${encodeURIComponent(id)}`);

interface Props {
  caseId: string;
  me: Me;
  onBack: () => void;
  /** Opens the next (+1) or previous (-1) case of the queue list, when there is one. */
  onStep: (delta: 1 | -1) => void;
  position: { index: number; total: number } | null;
}

type Dialog = 'evidence' | 'propose' | 'decide' | 'release' | null;

/**
 * Single-key shortcuts that need the loaded case: claim, evidence request, proposal, decide,
 * evidence review, and a supervisor's uphold / overturn of a pending appeal.
 */
type CaseKey = 'c' | 'e' | 'p' | 'd' | 'v' | 'u' | 'o';

/** What others see this person doing on the case (presence). */
const ACTIVITY: Record<Exclude<Dialog, null>, PresenceActivity> = {
  evidence: 'requesting',
  propose: 'proposing',
  decide: 'deciding',
  release: 'viewing',
};

/**
 * One case, everything a mediator needs to decide it: the claim and the order, both
 * parties and their history, the negotiation with its warnings, messages, evidence, every
 * deadline with what happens when it passes, and the actions the state and role allow.
 */
export function CaseScreen({ caseId, me, onBack, onStep, position }: Props) {
  // Follows the change notices that name this case; a command sent from here refetches it too.
  const query = useMethodQuery('case.get', { caseId });

  const [dialog, setDialog] = useState<Dialog>(null);
  /** The evidence review replaces the case screen while open; `index` is the file shown first. */
  const [review, setReview] = useState<{ index: number | null } | null>(null);
  const [refusal, setRefusal] = useState<{ action: string; error: AppError } | null>(null);
  /** The appeal review dialog (supervisors), opened by its buttons or by u / o. */
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const claimCase = useMethodMutation('case.claim');
  const claiming = claimCase.isPending;
  const toast = useToast();
  const view = query.data;
  const allowed = view ? allowedActions(view, me) : null;
  const appealRights = view ? appealReview(view, me) : null;
  // Who else has this case open; they see this person, and which dialog is open, the same way.
  const others = usePresence(caseId, dialog ? ACTIVITY[dialog] : 'viewing');

  async function claim() {
    if (!view || claiming) return;
    const r = await claimCase.mutateAsync({ caseId: view.id });
    if (!r.ok) return setRefusal({ action: 'Claim', error: r.error });
    setRefusal(null);
    toast({ message: `Case ${view.id} is yours.`, color: 'teal' });
  }
  const done = (message: string) => {
    setDialog(null);
    setRefusal(null);
    toast({ message, color: 'teal' });
  };

  /** The shortcuts that act on the loaded case: what they may do depends on its state. */
  const caseActions: Record<CaseKey, () => void> = {
    c: () => allowed?.claim && void claim(),
    e: () => allowed?.requestEvidence && setDialog('evidence'),
    p: () => allowed?.propose && setDialog('propose'),
    d: () => allowed?.decide && setDialog('decide'),
    v: () => view && view.evidence.length > 0 && setReview({ index: null }),
    u: () => appealRights?.may && setVerdict('uphold'),
    o: () => appealRights?.may && setVerdict('overturn'),
  };
  // A case opened by a link or from the list shows its id at once, while `case.get` is still
  // on its way: a mediator who knows the case presses `d` right then. Until the case is here
  // nobody can tell whether the action is allowed, so the key waits (the latest one) and acts
  // when the case arrives, instead of being dropped (it was: only the next press worked).
  const waitingKey = useRef<CaseKey | null>(null);
  const runWaitingKey = useEffectEvent(() => {
    const key = waitingKey.current;
    waitingKey.current = null;
    if (key) caseActions[key]();
  });
  useEffect(() => {
    if (view) runWaitingKey();
  }, [view]);
  const onCaseKey = (key: CaseKey) => {
    if (view) caseActions[key]();
    else waitingKey.current = key;
  };

  // Opening a case (from the queue, an appeal row, j / k) puts the keyboard on its title, unless
  // the person is typing somewhere (the search box) or a dialog holds it: the shortcuts then act
  // here, and a dialog closed later hands the focus back here (ui/focusHome.ts).
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const active = document.activeElement;
    if (dialogOpen() || isTyping(active) || title.current?.contains(active)) return;
    title.current?.focus({ preventScroll: true });
  }, [caseId]);

  useKeys(
    {
      Escape: onBack,
      j: () => onStep(1),
      k: () => onStep(-1),
      c: () => onCaseKey('c'),
      e: () => onCaseKey('e'),
      p: () => onCaseKey('p'),
      d: () => onCaseKey('d'),
      v: () => onCaseKey('v'),
      u: () => onCaseKey('u'),
      o: () => onCaseKey('o'),
    },
    review === null,
  );

  if (review !== null && view) return <EvidenceReview view={view} initialIndex={review.index} onClose={() => setReview(null)} />;

  return (
    <Stack gap={0} h="100%" data-testid="case-screen">
      <Box px="lg" py="sm" bg="white" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        {/* On a narrow window the actions wrap onto a second line, right-aligned, rather than run off the edge. */}
        <Group justify="space-between" wrap="wrap" align="center" gap={8} data-testid="case-header">
          <Group gap="md" wrap="nowrap" align="center" style={{ minWidth: 0 }}>
            <Tooltip label="Back to the queue (Esc)" openDelay={300}>
              <ActionIcon variant="default" size="lg" onClick={onBack} aria-label="Back to the queue" aria-keyshortcuts="Escape">
                <IconArrowLeft size={18} />
              </ActionIcon>
            </Tooltip>
            <div style={{ minWidth: 0 }}>
              <Group gap="sm" wrap="nowrap">
                {/* The keyboard's place on this screen (ui/focusHome.ts): opening the case and closing a dialog land here. */}
                <Title
                  order={3}
                  className="mono case-title"
                  fw={700}
                  fz={22}
                  data-testid="case-title"
                  tabIndex={-1}
                  data-focus-home
                  ref={title}
                >
                  {caseId}
                </Title>
                {view && <StatusBadge status={view.status} size="md" />}
                {view?.forcedDecision && (
                  <Badge color="red" variant="filled" radius="sm" style={{ textTransform: 'none' }}>
                    Forced decision
                  </Badge>
                )}
                {view?.buyer.label === 'serial_disputer' && (
                  <Badge color="red" variant="outline" radius="sm" style={{ textTransform: 'none' }}>
                    Flagged buyer
                  </Badge>
                )}
              </Group>
            </div>
          </Group>
          <Group gap={6} wrap="wrap" justify="flex-end" style={{ marginLeft: 'auto' }} data-testid="case-actions">
            {allowed?.claim && (
              <Button onClick={() => void claim()} loading={claiming} rightSection={<Kbd size="xs">c</Kbd>}>
                Claim case
              </Button>
            )}
            {allowed?.requestEvidence && (
              <Button variant="default" onClick={() => setDialog('evidence')} rightSection={<Kbd size="xs">e</Kbd>}>
                Request evidence
              </Button>
            )}
            {allowed?.propose && (
              <Button variant="default" onClick={() => setDialog('propose')} rightSection={<Kbd size="xs">p</Kbd>}>
                Publish resolutions
              </Button>
            )}
            {allowed?.decide && (
              <Button
                color={view?.forcedDecision ? 'red' : 'indigo'}
                onClick={() => setDialog('decide')}
                rightSection={<Kbd size="xs">d</Kbd>}
              >
                Decide
              </Button>
            )}
            {allowed?.release && (
              <Tooltip label="Give the case back to the unassigned queue, with a reason" openDelay={300}>
                <Button variant="subtle" color="gray" onClick={() => setDialog('release')} data-testid="release-case">
                  Release
                </Button>
              </Tooltip>
            )}
            {view && allowed && !Object.values(allowed).some(Boolean) && (
              <Text fz="sm" c="dimmed" data-testid="no-actions">
                {noActionReason(view, me)}
              </Text>
            )}
            {position && (
              <Group gap={2} ml="sm" wrap="nowrap">
                <Tooltip label="Previous case (k)" openDelay={300}>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    onClick={() => onStep(-1)}
                    disabled={position.index <= 0}
                    aria-label="Previous case"
                  >
                    <IconChevronUp size={18} />
                  </ActionIcon>
                </Tooltip>
                <Text fz="xs" c="dimmed" className="tabular" w={70} ta="center">
                  {position.index + 1} of {position.total.toLocaleString()}
                </Text>
                <Tooltip label="Next case (j)" openDelay={300}>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    onClick={() => onStep(1)}
                    disabled={position.index >= position.total - 1}
                    aria-label="Next case"
                  >
                    <IconChevronDown size={18} />
                  </ActionIcon>
                </Tooltip>
              </Group>
            )}
          </Group>
        </Group>
        {view && (
          <Box pl={52}>
            <Headline view={view} />
            <PresenceLine people={others} />
          </Box>
        )}
        {view?.guidance.map((text) => (
          <Alert key={text} mt="sm" color="yellow" variant="light" icon={<IconAlert size={18} />} data-testid="guidance">
            {text}
          </Alert>
        ))}
        {refusal && (
          <Alert
            mt="sm"
            color="red"
            variant="light"
            icon={<IconAlert size={18} />}
            title={`${refusal.action} was refused`}
            withCloseButton
            onClose={() => setRefusal(null)}
            role="alert"
            data-testid="refusal"
          >
            {refusal.error.message}
          </Alert>
        )}
      </Box>

      <ScrollArea style={{ flex: 1 }} type="auto" scrollbars="y">
        {query.error ? (
          <Center p="xl">
            <Alert color="red" variant="light" title="The case could not be loaded" maw={560}>
              {query.error.message}
            </Alert>
          </Center>
        ) : !view ? (
          <Center p="xl" h={300}>
            <Loader size="sm" />
          </Center>
        ) : (
          // The case's own panels, then the parties' conversation, beside the deadlines and the
          // parties. On a wide screen (2200 px and more) the conversation gets its own column beside
          // the claim and the evidence instead of below them (case.css).
          <div className="case-layout" data-testid="case-layout">
            <div className="case-body">
              <Stack gap="md" data-testid="case-main">
                {allowed && (allowed.decide || allowed.propose) && <WaitingOnYou view={view} />}
                <AppealReviewPanel
                  view={view}
                  me={me}
                  verdict={verdict}
                  onVerdict={setVerdict}
                  onDone={(message) => (setVerdict(null), done(message))}
                />
                <BlindDecisionPanel view={view} onDone={done} />
                <ClaimPanel view={view} />
                <ProposalPanel view={view} />
                <DecisionPanel view={view} />
                <ChecklistPanel caseId={view.id} />
                <EvidencePanel view={view} onOpenReview={(index) => setReview({ index })} />
                {me.role !== 'analyst' && <NotesPanel caseId={view.id} me={me} />}
                <RelatedPanel caseId={view.id} me={me} onOpen={openCase} />
              </Stack>
              <Stack gap="md" data-testid="case-conversation">
                <NegotiationPanel view={view} />
                <MessagesPanel view={view} canTranslate={me.role !== 'analyst'} />
                <TimelinePanel view={view} />
              </Stack>
            </div>
            <Stack gap="md" className="case-side" data-testid="case-side">
              <DeadlinesPanel view={view} />
              <OrderPanel view={view} />
              <BuyerPanel view={view} />
              <SellerPanel view={view} />
            </Stack>
          </div>
        )}
      </ScrollArea>

      {/* Mounted by what the person opened, not by what the case allows now: a change made elsewhere
          never closes a dialog under them (the dialog shows the change instead; guard.tsx). */}
      {view && dialog === 'evidence' && (
        <RequestEvidenceDialog key={view.id} opened onClose={() => setDialog(null)} view={view} userId={me.userId} onDone={done} />
      )}
      {view && dialog === 'propose' && (
        <ProposeDialog key={view.id} opened onClose={() => setDialog(null)} view={view} userId={me.userId} onDone={done} />
      )}
      {view && dialog === 'decide' && (
        <DecideDialog key={view.id} opened onClose={() => setDialog(null)} view={view} userId={me.userId} onDone={done} />
      )}
      {view && dialog === 'release' && allowed?.release && (
        <ReleaseDialog
          opened
          onClose={() => setDialog(null)}
          view={view}
          onDone={(message) => {
            done(message);
            onBack();
          }}
        />
      )}
    </Stack>
  );
}

function Headline({ view }: { view: CaseView }) {
  const next = view.deadlines[0];
  const items: Array<[string, React.ReactNode]> = [
    [
      'reason',
      <Text span inherit fw={600} c="dark">
        {reasonLabel(view.reason)}
      </Text>,
    ],
    [
      'claim',
      <>
        Claim <Money minor={view.claim.amountMinor} currency={view.order.currency} c="dark" fw={600} /> of{' '}
        <Money minor={view.order.totalMinor} currency={view.order.currency} />
      </>,
    ],
    [
      'parties',
      <>
        {view.buyer.name} → {view.seller.name}
      </>,
    ],
    [
      'assignee',
      view.assignee ? (
        <>
          Assignee{' '}
          <Text span inherit c="dark" fw={500}>
            {view.assignee}
          </Text>
        </>
      ) : (
        'Unassigned'
      ),
    ],
    ['escalated', <>Escalated {formatInstant(view.escalatedAt)}</>],
  ];
  if (next)
    items.push([
      'next',
      <>
        Next deadline <Countdown at={next.dueAt} />
      </>,
    ]);
  // Every item starts with its separator, and the row is pulled left by one separator's width
  // under a clipping box: the separator of whichever item begins a line (the first, or one that
  // wrapped at 1024 px) falls outside and is hidden, so no line starts with a stray "·".
  return (
    <Text fz="sm" c="dimmed" mt={6} component="div" style={{ overflow: 'hidden' }} data-testid="case-headline">
      <div style={{ display: 'flex', flexWrap: 'wrap', rowGap: 2, marginLeft: -HEADLINE_SEPARATOR }}>
        {items.map(([key, node]) => (
          <span key={key} style={{ whiteSpace: 'nowrap' }}>
            <span
              aria-hidden
              data-headline-separator
              style={{ display: 'inline-block', width: HEADLINE_SEPARATOR, textAlign: 'center', color: 'var(--mantine-color-gray-4)' }}
            >
              ·
            </span>
            {node}
          </span>
        ))}
      </div>
    </Text>
  );
}

/** Width of the "·" between the headline's items, with its space either side (px). */
const HEADLINE_SEPARATOR = 14;

function noActionReason(view: CaseView, me: Me): string {
  if (me.role === 'analyst') return 'Analysts read cases; they do not act on them.';
  if (view.status === 'awaiting_replies') return 'Waiting for the parties’ replies.';
  if (view.status === 'closed') return 'Decided; the appeal window is open.';
  if (view.status === 'appealed') {
    const review = appealReview(view, me);
    return review.may
      ? 'Appealed: review it below (u / o).'
      : review.shown
        ? 'Appealed: another supervisor reviews it.'
        : 'Appealed: waiting for a supervisor.';
  }
  if (view.status === 'final') return 'Final.';
  if (view.assignee && view.assignee !== me.userId) return `Assigned to ${view.assignee}.`;
  return '';
}
