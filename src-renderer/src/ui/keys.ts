import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { AppError } from '../../../src-main/contract/errors';
import type { MethodName, MethodRawInput } from '../../../src-main/contract/methods';
import { call } from '../api/client';
import type { MethodOutput } from '../api/types';

/**
 * One shared one-second clock for every countdown on screen: a single timer, and only
 * the components that read it re-render each tick.
 */
const clock = (() => {
  /** Server time minus this machine's time: the core's clock decides deadlines, so countdowns follow it. */
  let offset = 0;
  let now = Date.now();
  const listeners = new Set<() => void>();
  let timer: ReturnType<typeof setInterval> | null = null;
  const tick = () => {
    now = Date.now() + offset;
    listeners.forEach((l) => l());
  };
  return {
    subscribe(listener: () => void) {
      listeners.add(listener);
      if (!timer) {
        now = Date.now() + offset;
        timer = setInterval(tick, 1000);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
    read: () => now,
    sync(serverIso: string) {
      const server = Date.parse(serverIso);
      if (Number.isNaN(server)) return;
      const next = server - Date.now();
      // Ignore transport jitter; follow real jumps (a machine clock that is off, a test clock).
      if (Math.abs(next - offset) > 5_000) {
        offset = next;
        tick();
      }
    },
  };
})();

/** Aligns countdowns with the core's clock, from the instant a change notice carries. */
export const syncServerClock = (serverIso: string): void => clock.sync(serverIso);

export const useNow = (): number => useSyncExternalStore(clock.subscribe, clock.read);

export interface Query<T> {
  data: T | null;
  error: AppError | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Calls a method whenever its input changes (compared as JSON) and on reload(). Keeps the
 * last data while reloading so a background refresh does not flash the screen.
 */
export function useQuery<M extends MethodName>(method: M, input: MethodRawInput<M> | null): Query<MethodOutput<M>> {
  const key = input === null ? null : `${method} ${JSON.stringify(input)}`;
  const [state, setState] = useState<{ key: string | null; data: MethodOutput<M> | null; error: AppError | null; loading: boolean }>({
    key: null,
    data: null,
    error: null,
    loading: false,
  });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    if (input === null || key === null) return;
    const ticket = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    void call(method, input).then((result) => {
      if (ticket !== latest.current) return; // an older answer arriving late
      setState(
        result.ok ? { key, data: result.value, error: null, loading: false } : { key, data: null, error: result.error, loading: false },
      );
    });
    // `key` stands for `input`: a new object with the same content is not a new query.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [method, key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  // Data of a previous input (another case) is never shown for the current one.
  const current = state.key === key;
  return {
    data: current ? state.data : null,
    error: current ? state.error : null,
    loading: key !== null && (!current || state.loading),
    reload,
  };
}

/** True while the user types into a field: single-key shortcuts must not fire then. */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

function isActivatable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return (
    el.tagName === 'BUTTON' ||
    el.tagName === 'A' ||
    ['button', 'tab', 'menuitem', 'option', 'checkbox', 'switch'].includes(el.getAttribute('role') ?? '')
  );
}

/** A dialog is open: page-level shortcuts pause (the dialog handles its own keys). */
const dialogOpen = () => document.querySelector('[role="dialog"][aria-modal="true"], .mantine-Modal-content') !== null;

export type KeyMap = Record<string, (event: KeyboardEvent) => void>;

/**
 * Single-key shortcuts (j, k, Enter, n, /, ?, Escape…) for one screen. Ignored while typing
 * in a field, with Ctrl/Alt/Meta held, or while a dialog is open; `enabled` lets a hidden
 * screen keep its state without listening.
 */
export function useKeys(keys: KeyMap, enabled = true): void {
  const ref = useRef(keys);
  ref.current = keys;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (isTyping(e.target) || dialogOpen()) return;
      if (e.key === 'Enter' && isActivatable(e.target)) return; // Enter on a button presses the button
      const handler = ref.current[e.key];
      if (!handler) return;
      e.preventDefault();
      handler(e);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}
