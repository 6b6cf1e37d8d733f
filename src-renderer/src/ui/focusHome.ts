import { useEffect } from 'react';
import { dialogOpen } from './keys';

/**
 * Keeps the keyboard somewhere (issue 17, the whole flow by keyboard): when the focused element
 * goes away — a dialog closed after a shortcut opened it (it returns the focus to <body>, where
 * the shortcut found it), a button a live update removed, a screen swapped for another — the
 * focus moves to the screen's home: the visible element marked `data-focus-home` (the case's
 * title, the queue list), else the screen switch's current choice. Nothing moves while a dialog
 * is open (it holds the focus itself) or while the focus is anywhere shown.
 */
export function useFocusHome(): void {
  useEffect(() => {
    let frame = 0;
    const check = () => {
      frame = 0;
      const a = document.activeElement as HTMLElement | null;
      if (a && a !== document.body && a !== document.documentElement && a.isConnected && shown(a)) return;
      if (dialogOpen()) return;
      home()?.focus({ preventScroll: true });
    };
    const soon = () => {
      if (!frame) frame = requestAnimationFrame(check);
    };
    const watch = new MutationObserver(soon);
    watch.observe(document.body, { childList: true, subtree: true });
    document.addEventListener('focusout', soon);
    soon();
    return () => {
      watch.disconnect();
      document.removeEventListener('focusout', soon);
      cancelAnimationFrame(frame);
    };
  }, []);
}

const shown = (el: HTMLElement) => el.getClientRects().length > 0;

function home(): HTMLElement | null {
  const marked = [...document.querySelectorAll<HTMLElement>('[data-focus-home]')].filter(shown);
  if (marked.length) return marked[marked.length - 1]!;
  return document.querySelector<HTMLElement>('[data-testid="base-view"] input:checked');
}
