import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import type { AppError } from '../../../../src-main/contract/errors';
import { ago, describeCaseEvent } from '../../../../src-main/contract/presence';
import { IconAlert } from '../../ui/Icons';
import { useNow } from '../../ui/clock';
import type { CaseView } from '../../api/types';

/**
 * What keeps a command dialog safe while others work on the same case:
 * - the stale guard: the dialog remembers the case version it was opened on and sends it as
 *   `basedOnVersion`; when a live update brings a newer version, it stays open with the
 *   typed text, says what changed, and asks the person to confirm before sending (the core
 *   refuses a stale send with STALE anyway, for the change that had not arrived yet);
 * - drafts: what is typed is kept in localStorage per user, case and dialog (a reload or a
 *   crash loses nothing) and removed once the command is accepted.
 */

interface Seen {
  version: number;
  /** How many events the case had then: the ones after are "what changed". */
  events: number;
}

export interface StaleGuard {
  /** The version to send as basedOnVersion. */
  basedOnVersion: number;
  /** The case changed since the person last confirmed what they see. */
  stale: boolean;
  /** The changes since then, oldest first (refusals left out). */
  changes: CaseView['events'];
  /** "I have seen it": go on from the current version. */
  acknowledge(): void;
}

export function useStaleGuard(view: CaseView, opened: boolean): StaleGuard {
  const [seen, setSeen] = useState<Seen | null>(null);
  // Kept in step while rendering: opened → remember what is on screen now; closed → forget.
  if (opened && seen === null) setSeen({ version: view.version, events: view.events.length });
  if (!opened && seen !== null) setSeen(null);
  const base = seen ?? { version: view.version, events: view.events.length };
  return {
    basedOnVersion: base.version,
    stale: view.version !== base.version,
    changes: view.events.slice(base.events).filter((e) => e.type !== 'command.refused'),
    acknowledge: () => setSeen({ version: view.version, events: view.events.length }),
  };
}

/** The notice a stale dialog shows above its form: what changed, when, and "go on". */
export function StaleNotice({ guard, error, onAcknowledge }: { guard: StaleGuard; error: AppError | null; onAcknowledge: () => void }) {
  const now = useNow();
  const refusedStale = error?.code === 'STALE';
  const shown = guard.stale || refusedStale;
  const ref = useRef<HTMLDivElement>(null);
  // It appears above the form, possibly scrolled out of the dialog's view: bring it in.
  useEffect(() => {
    if (shown) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [shown]);
  if (!shown) return null;
  const latest = guard.changes.slice(-3).reverse();
  return (
    <Alert
      color="orange"
      variant="light"
      icon={<IconAlert size={18} />}
      title="This case changed while you were writing"
      ref={ref}
      data-testid="stale-notice"
      role="alert"
    >
      <Stack gap={4}>
        {latest.length ? (
          latest.map((e, i) => (
            <Text key={i} fz="sm" data-testid="stale-change">
              {capitalise(describeCaseEvent(e))} · {ago(now - Date.parse(e.at))}
            </Text>
          ))
        ) : (
          <Text fz="sm">{error?.message ?? 'Another person changed it.'}</Text>
        )}
        <Group justify="space-between" mt={4} wrap="nowrap">
          <Text fz="xs" c="dimmed">
            Nothing was sent and your text is kept. Check the change, then send again.
          </Text>
          {guard.stale && (
            <Button size="xs" variant="filled" color="orange" onClick={onAcknowledge} data-testid="stale-acknowledge">
              I have seen it, continue
            </Button>
          )}
        </Group>
      </Stack>
    </Alert>
  );
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

// ---------------------------------------------------------------- drafts

const PREFIX = 'md.draft.v1:';
/** Drafts kept at most (the oldest go first), so a long-lived desktop's storage stays small. */
const MAX_DRAFTS = 100;

type Stored<T> = { savedAt: number; value: T };

function readDraft<T extends object>(key: string): Partial<T> | null {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    const parsed = raw ? (JSON.parse(raw) as Stored<Partial<T>>) : null;
    return parsed && typeof parsed.value === 'object' && parsed.value !== null ? parsed.value : null;
  } catch {
    return null;
  }
}

function writeDraft(key: string, value: object): void {
  try {
    localStorage.setItem(PREFIX + key, JSON.stringify({ savedAt: Date.now(), value }));
    const keys = Object.keys(localStorage).filter((k) => k.startsWith(PREFIX));
    if (keys.length > MAX_DRAFTS) {
      const age = (k: string) => {
        try {
          return (JSON.parse(localStorage.getItem(k) ?? '') as Stored<unknown>).savedAt;
        } catch {
          return 0;
        }
      };
      keys.sort((a, b) => age(a) - age(b));
      for (const k of keys.slice(0, keys.length - MAX_DRAFTS)) localStorage.removeItem(k);
    }
  } catch {
    // Storage full or disabled: the draft lives as long as the dialog.
  }
}

/**
 * A dialog's fields, kept in localStorage under `user:case:dialog` while typing. `update`
 * writes through; `clear` (after an accepted command, or a cancelled empty form) forgets it.
 */
export function useDraft<T extends object>(key: string, initial: () => T): [T, (patch: Partial<T>) => void, () => void] {
  const [state, setState] = useState<{ key: string; value: T }>(() => ({ key, value: { ...initial(), ...readDraft<T>(key) } }));
  // Another case or user: load its draft (kept in step while rendering).
  let current = state;
  if (state.key !== key) {
    current = { key, value: { ...initial(), ...readDraft<T>(key) } };
    setState(current);
  }
  const update = (patch: Partial<T>) =>
    setState((s) => {
      const value = { ...s.value, ...patch };
      writeDraft(s.key, value);
      return { key: s.key, value };
    });
  const clear = () => {
    try {
      localStorage.removeItem(PREFIX + key);
    } catch {
      // nothing stored
    }
    setState({ key, value: initial() });
  };
  return [current.value, update, clear];
}

export const draftKey = (userId: string, caseId: string, dialog: 'decide' | 'evidence' | 'propose' | 'note') =>
  `${userId}:${caseId}:${dialog}`;
