import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { AppError } from '../../src-main/contract/errors';
import type { MethodName, MethodRawInput } from '../../src-main/contract/methods';
import { call } from './client';
import type { MethodOutput } from './types';

/**
 * One shared one-second clock for every countdown on screen: a single timer, and only
 * the components that read it re-render each tick.
 */
const clock = (() => {
  let now = Date.now();
  const listeners = new Set<() => void>();
  let timer: ReturnType<typeof setInterval> | null = null;
  return {
    subscribe(listener: () => void) {
      listeners.add(listener);
      if (!timer) {
        now = Date.now();
        timer = setInterval(() => {
          now = Date.now();
          listeners.forEach((l) => l());
        }, 1000);
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
  };
})();

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
        result.ok
          ? { key, data: result.value, error: null, loading: false }
          : { key, data: null, error: result.error, loading: false },
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
