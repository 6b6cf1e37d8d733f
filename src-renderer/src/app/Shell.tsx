import { ActionIcon, Box, Button, Group, Modal, SegmentedControl, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useFollowChanges, useRefetchAll, useRefetchLists } from '../api/live';
import { useMethodMutation, useMethodQuery } from '../api/queries';
import { IconKeyboard } from '../ui/Icons';
import { ConnectionBanner } from '../ui/ConnectionBanner';
import { ShortcutsHelp } from '../ui/ShortcutsHelp';
import { useToast } from '../ui/Toast';
import { humanize, localTimeZone } from '../ui/format';
import { syncServerClock } from '../ui/clock';
import { ErrorBoundary } from '../ui/ErrorBoundary';
import { useKeys } from '../ui/keys';
import type { Me, QueueRow, SavedFilter } from '../api/types';
import { QueueScreen } from '../features/queue/QueueScreen';
import { ScreenLoading } from '../ui/LoadState';
import { SearchBox } from './SearchBox';
import { CatchUpProgress, ImportProgress } from './CatchUpProgress';
import type { TaskProgress } from '../api/bridge';
import { IntegrityBanner } from '../features/audit/IntegrityBanner';
import { filterFromSearch, filterToSearch } from '../features/queue/filterUrl';
import { defaultQueueFilter, landingQueueFilter } from '../features/queue/useQueuePages';
import { SupervisionScreens, SupervisorNav, type SupervisionView } from '../features/supervision/SupervisionScreens';
import { MyAccount } from '../features/accounts/MyAccount';
import { TakeNextButton } from '../ui/TakeNextButton';
import { useFocusHome } from '../ui/focusHome';

// Sign-in and the queue come in the first chunk; the rest is fetched when first needed (issue 16).
// The case screen (its panels, dialogs and the evidence viewer) is fetched while the desk is
// idle after the queue shows, so the first case opens without waiting for it.
const loadCaseScreen = () => import('../features/case/CaseScreen');
const CaseScreen = lazy(() => loadCaseScreen().then((m) => ({ default: m.CaseScreen })));
const BuyerScreen = lazy(() => import('../features/risk/BuyerScreen').then((m) => ({ default: m.BuyerScreen })));
const BuyersScreen = lazy(() => import('../features/risk/BuyersScreen').then((m) => ({ default: m.BuyersScreen })));

const HEADER_H = 56;
/** How long the toast after "Take next case" offers Undo. */
const UNDO_MS = 10_000;

const caseFromHash = (): string | null => {
  const m = /^#\/case\/(.+)$/.exec(window.location.hash);
  return m ? decodeURIComponent(m[1]!) : null;
};
const buyerFromHash = (): string | null => {
  const m = /^#\/buyer\/(.+)$/.exec(window.location.hash);
  return m ? decodeURIComponent(m[1]!) : null;
};

/** Analysts land on "Buyers by risk"; supervisors may switch to it (read-only) and to their own desk's screens; mediators see the queue only. */
type BaseView = 'queue' | 'buyers' | SupervisionView;

/**
 * The desk: a header (search, "Take next case", shortcuts, the user), the queue screen and,
 * over it, the case screen. The queue stays mounted while a case is open, so coming back
 * keeps its filters, loaded rows, scroll position and selection. The open case is in the
 * URL (#/case/ID): the browser's back button and a reload work.
 */
export function Shell({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const defaultFilter = useMemo<SavedFilter>(() => defaultQueueFilter(me.role), [me.role]);
  // The queue's tab and filters live in the address: a reload keeps them, back/forward steps through them.
  const [filter, setFilterState] = useState<SavedFilter>(() => landingQueueFilter(me.role));
  const setFilter = useCallback((f: SavedFilter) => {
    setFilterState(f);
    const search = filterToSearch(f);
    if (search !== window.location.search) history.pushState(null, '', window.location.pathname + search + window.location.hash);
  }, []);
  useEffect(() => {
    const onPop = () => setFilterState(filterFromSearch(window.location.search, defaultFilter));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [defaultFilter]);
  const [openCase, setOpenCase] = useState<string | null>(caseFromHash);
  const seesRisk = me.role === 'analyst' || me.role === 'supervisor';
  const [base, setBase] = useState<BaseView>(me.role === 'analyst' || (seesRisk && buyerFromHash() !== null) ? 'buyers' : 'queue');
  const [openBuyer, setOpenBuyer] = useState<string | null>(() => (seesRisk ? buyerFromHash() : null));
  const [lastOpened, setLastOpened] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const [account, setAccount] = useState(false);
  /** The queue's loaded rows (QueueScreen reports them): stepping through cases follows them. */
  const [rows, setRows] = useState<QueueRow[]>([]);
  const queueShown = rows.length > 0;
  // The case screen's code, once the queue shows its first rows and the desk is idle (an empty
  // queue fetches it when a case opens): fetched earlier it competes with the queue's first answer.
  useEffect(() => {
    if (!queueShown) return;
    if (typeof window.requestIdleCallback === 'function') {
      const handle = window.requestIdleCallback(() => void loadCaseScreen(), { timeout: 3_000 });
      return () => window.cancelIdleCallback(handle);
    }
    const timer = window.setTimeout(() => void loadCaseScreen(), 500);
    return () => window.clearTimeout(timer);
  }, [queueShown]);
  const search = useRef<HTMLInputElement>(null);
  const toast = useToast();

  // Countdowns follow the core's clock (it decides the deadlines), not this machine's.
  // The sign-in's (or the reload's session.me) answer carries it; asked again only when it did not
  // (the first-run form), so the first rows do not wait behind one more call.
  const askedTime = useMethodQuery('session.me', me.serverTime ? null : {}).data?.serverTime;
  const serverTime = me.serverTime ?? askedTime;
  useEffect(() => {
    if (serverTime) syncServerClock(serverTime);
  }, [serverTime]);
  // What is on screen follows the core's change notices (other sessions, sweeps, imports).
  // A deadline catch-up in main reports its progress in its notices (issue 16).
  const [catchUp, setCatchUp] = useState<TaskProgress | null>(null);
  // An import from the Feeds screen: its notices (at most one a second) carry progress, not case ids,
  // so the lists are read again with each.
  const [importing, setImporting] = useState<TaskProgress | null>(null);
  const refetchLists = useRefetchLists();
  useFollowChanges((notice) => {
    syncServerClock(notice.at);
    if (notice.progress?.task === 'catch-up') setCatchUp(notice.progress.finished ? null : notice.progress);
    if (notice.progress?.task === 'import') {
      setImporting(notice.progress.finished ? null : notice.progress);
      refetchLists();
    }
  });

  useEffect(() => {
    const onHash = () => {
      const c = caseFromHash();
      const b = buyerFromHash();
      setOpenCase(c);
      // A case opened from a buyer page keeps that page underneath; an empty hash closes both.
      if (b !== null || c === null) setOpenBuyer(b);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const open = useCallback((caseId: string) => {
    setLastOpened(caseId);
    if (caseFromHash() !== caseId) window.location.hash = `#/case/${encodeURIComponent(caseId)}`;
    setOpenCase(caseId);
  }, []);
  const back = useCallback(() => {
    if (openCase) setLastOpened(openCase);
    const buyer = openBuyer;
    if (openCase && buyer) {
      // Back from a case opened on a buyer page: to that page.
      history.pushState(null, '', `#/buyer/${encodeURIComponent(buyer)}`);
    } else {
      if (window.location.hash) history.pushState(null, '', window.location.pathname + window.location.search);
      setOpenBuyer(null);
    }
    setOpenCase(null);
  }, [openCase, openBuyer]);
  const home = useCallback(() => {
    if (window.location.hash) history.pushState(null, '', window.location.pathname + window.location.search);
    setOpenCase(null);
    setOpenBuyer(null);
  }, []);
  const openBuyerPage = useCallback((buyerId: string) => {
    if (buyerFromHash() !== buyerId) window.location.hash = `#/buyer/${encodeURIComponent(buyerId)}`;
    setOpenCase(null);
    setOpenBuyer(buyerId);
  }, []);
  const switchBase = useCallback(
    (v: BaseView) => {
      home();
      setBase(v);
    },
    [home],
  );

  const claimNext = useMethodMutation('case.claimNext');
  const taking = claimNext.isPending;
  const { mutateAsync: claimNextCase } = claimNext;
  const { mutateAsync: releaseCase } = useMethodMutation('case.release');
  /** `n` pressed while reading a case: ask before leaving it for another one. */
  const [confirmNext, setConfirmNext] = useState(false);

  /** The database answers again after an outage: refetch everything shown. */
  const refetchAll = useRefetchAll();
  const takeNext = useCallback(async () => {
    if (taking || me.role === 'analyst') return;
    const r = await claimNextCase({});
    if (!r.ok) return toast({ title: 'No case taken', message: r.error.message, color: 'red' });
    const caseId = r.value.caseId;
    // A take-next by mistake is undone at once: the case goes back to the queue, audited.
    const undo = async () => {
      const u = await releaseCase({ caseId, reason: 'Taken by mistake: undone right after "Take next case".' });
      if (!u.ok) return toast({ title: 'Not undone', message: u.error.message, color: 'red' });
      if (caseFromHash() === caseId) back();
      toast({ message: `Case ${caseId} is back in the unassigned queue.`, color: 'gray' });
    };
    toast({
      message: `Case ${caseId} is yours.`,
      color: 'teal',
      durationMs: UNDO_MS,
      action: { label: 'Undo', onClick: () => void undo() },
    });
    open(caseId);
  }, [taking, me.role, toast, open, back, claimNextCase, releaseCase]);

  useFocusHome();
  useKeys({
    '/': () => search.current?.focus(),
    '?': () => setHelp(true),
    // From the queue `n` takes the next case; while a case is open it asks first.
    n: () => (openCase !== null ? setConfirmNext(true) : void takeNext()),
  });

  const index = openCase ? rows.findIndex((r) => r.id === openCase) : -1;
  const step = (delta: 1 | -1) => {
    const next = rows[index + delta];
    if (index >= 0 && next) open(next.id);
  };

  return (
    <Box style={{ height: '100vh', display: 'flex', flexDirection: 'column' }}>
      <Group
        component="header"
        h={HEADER_H}
        px="md"
        justify="space-between"
        wrap="nowrap"
        bg="white"
        style={{ borderBottom: '1px solid var(--mantine-color-gray-3)', flexShrink: 0 }}
      >
        <Group gap="lg" wrap="nowrap" style={{ flex: 1, minWidth: 0 }}>
          <UnstyledButton onClick={home} aria-label="Mediation Desk: back to the queue">
            <Group gap={8} wrap="nowrap">
              <Box
                w={26}
                h={26}
                bg="indigo.7"
                style={{ borderRadius: 6, display: 'grid', placeItems: 'center', color: 'white', fontWeight: 700, fontSize: 13 }}
              >
                MD
              </Box>
              <Text fw={700} fz="md" visibleFrom="lg" style={{ whiteSpace: 'nowrap' }}>
                Mediation Desk
              </Text>
            </Group>
          </UnstyledButton>
          <Box style={{ flex: 1, minWidth: 180, maxWidth: 420 }}>
            <SearchBox ref={search} onOpen={open} />
          </Box>
          {seesRisk && me.role !== 'supervisor' && (
            <SegmentedControl
              size="xs"
              value={base}
              onChange={(v) => switchBase(v)}
              data={[
                { value: 'buyers', label: 'Buyers by risk' },
                { value: 'queue', label: 'Cases' },
              ]}
              aria-label="Screen"
              data-testid="base-view"
            />
          )}
        </Group>
        <Group gap="sm" wrap="nowrap" style={{ flexShrink: 0 }}>
          <CatchUpProgress progress={catchUp} />
          <ImportProgress progress={importing} />
          {me.role !== 'analyst' && <TakeNextButton onClick={() => void takeNext()} loading={taking} testId="take-next" />}
          <Tooltip label="Keyboard shortcuts (?)" openDelay={300}>
            <ActionIcon variant="default" size="lg" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts" aria-keyshortcuts="?">
              <IconKeyboard size={18} />
            </ActionIcon>
          </Tooltip>
          <UnstyledButton
            pl="sm"
            style={{ borderLeft: '1px solid var(--mantine-color-gray-3)' }}
            onClick={() => setAccount(true)}
            aria-label="My account"
            title="My account: password and sessions"
          >
            <Text fz="sm" fw={600} lh={1.25} data-testid="signed-in-user">
              {me.name}
            </Text>
            <Text fz="xs" c="dimmed" lh={1.25} style={{ whiteSpace: 'nowrap' }} title={`Times in ${localTimeZone()}`}>
              {humanize(me.role)}
              <Text span inherit visibleFrom="lg">
                {' '}
                · times in {localTimeZone()}
              </Text>
            </Text>
          </UnstyledButton>
          <Button variant="subtle" color="gray" size="xs" onClick={onSignOut}>
            Sign out
          </Button>
        </Group>
      </Group>
      <ConnectionBanner onRecovered={refetchAll} />
      {me.role === 'supervisor' && <IntegrityBanner onOpen={open} />}

      {me.role === 'supervisor' && (
        <ErrorBoundary screen="The screen switch" inline>
          <SupervisorNav value={base} onChange={(v) => switchBase(v as BaseView)} />
        </ErrorBoundary>
      )}
      <Box style={{ flex: 1, minHeight: 0, position: 'relative' }}>
        <ErrorBoundary screen="The queue">
          <QueueScreen
            me={me}
            filter={filter}
            onFilterChange={setFilter}
            onOpen={open}
            onRows={setRows}
            lastOpened={lastOpened}
            active={openCase === null && openBuyer === null && base === 'queue'}
            {...(me.role !== 'analyst' ? { onTakeNext: () => void takeNext(), taking } : {})}
          />
        </ErrorBoundary>
        {seesRisk && base === 'buyers' && (
          <Box
            style={{ position: 'absolute', inset: 0, visibility: openBuyer === null && openCase === null ? 'visible' : 'hidden' }}
            bg="gray.0"
          >
            <ErrorBoundary screen="Buyers by risk">
              <Suspense fallback={<ScreenLoading />}>
                <BuyersScreen me={me} onOpen={openBuyerPage} active={openCase === null && openBuyer === null} />
              </Suspense>
            </ErrorBoundary>
          </Box>
        )}
        {me.role === 'supervisor' && (
          <SupervisionScreens me={me} view={base} onOpen={open} covered={openCase !== null || openBuyer !== null} />
        )}
        {seesRisk && openBuyer !== null && (
          <Box style={{ position: 'absolute', inset: 0, visibility: openCase === null ? 'visible' : 'hidden' }} bg="gray.0">
            <ErrorBoundary key={openBuyer} screen="The buyer page">
              <Suspense fallback={<ScreenLoading />}>
                <BuyerScreen buyerId={openBuyer} me={me} onBack={home} onOpenCase={open} onOpenBuyer={openBuyerPage} />
              </Suspense>
            </ErrorBoundary>
          </Box>
        )}
        {openCase !== null && (
          <Box style={{ position: 'absolute', inset: 0 }} bg="gray.0">
            <ErrorBoundary key={openCase} screen="The case screen">
              <Suspense fallback={<ScreenLoading />}>
                <CaseScreen
                  caseId={openCase}
                  me={me}
                  onBack={back}
                  onStep={step}
                  position={index >= 0 ? { index, total: rows.length } : null}
                />
              </Suspense>
            </ErrorBoundary>
          </Box>
        )}
      </Box>
      <ShortcutsHelp opened={help} onClose={() => setHelp(false)} />
      <Modal opened={confirmNext} onClose={() => setConfirmNext(false)} title="Take the next case?" size="sm">
        <Text fz="sm">You are reading case {openCase}. Taking the next case assigns it to you and opens it; this one stays as it is.</Text>
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setConfirmNext(false)}>
            Stay here
          </Button>
          <Button
            data-autofocus
            onClick={() => {
              setConfirmNext(false);
              void takeNext();
            }}
            data-testid="confirm-take-next"
          >
            Take next case
          </Button>
        </Group>
      </Modal>
      <MyAccount me={me} opened={account} onClose={() => setAccount(false)} />
    </Box>
  );
}
