import { useSyncExternalStore } from 'react';

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
    // An arrow (no `this`), so useSyncExternalStore can take it as it is.
    subscribe: (listener: () => void) => {
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
