import { useEffect, useEffectEvent } from 'react';

/** True while the user types into a field: single-key shortcuts must not fire then. */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  // A radio or a checkbox takes no letters: with the screen switch focused (a radio group), `u` still reviews the appeal.
  if (tag === 'INPUT') return !NOT_TEXT.has((el as HTMLInputElement).type);
  return tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}
const NOT_TEXT = new Set(['radio', 'checkbox', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

function isActivatable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return (
    el.tagName === 'BUTTON' ||
    el.tagName === 'A' ||
    ['button', 'tab', 'menuitem', 'option', 'checkbox', 'switch'].includes(el.getAttribute('role') ?? '')
  );
}

/**
 * A dialog is open: page-level shortcuts pause (the dialog handles its own keys). A closing
 * dialog stays in the page for its exit transition (about 200 ms) with its "out" styles set
 * inline (opacity 0); it no longer has the keyboard, so Esc then `f` opens the filters
 * instead of losing the `f`.
 */
export function dialogOpen(): boolean {
  for (const el of document.querySelectorAll<HTMLElement>('[role="dialog"][aria-modal="true"], .mantine-Modal-content')) {
    if (el.style.opacity === '0') continue;
    return true;
  }
  return false;
}

/**
 * The key was pressed inside a dialog. The Esc that closes a dialog must not also reach the
 * screen behind it (which would leave the case for the queue): the dialog may already be
 * fading out, so dialogOpen() alone cannot tell, but the event's target is still inside it.
 */
function fromDialog(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el?.closest?.('[role="dialog"], .mantine-Modal-root');
}

export type KeyMap = Record<string, (event: KeyboardEvent) => void>;

/**
 * Single-key shortcuts (j, k, Enter, n, /, ?, Escape…) for one screen. Ignored while typing
 * in a field, with Ctrl/Alt/Meta held, or while a dialog is open; `enabled` lets a hidden
 * screen keep its state without listening.
 */
export function useKeys(keys: KeyMap, enabled = true): void {
  // The listener is added once (per `enabled`) and always sees the latest key map.
  const handlerFor = useEffectEvent((key: string) => keys[key]);
  useEffect(() => {
    if (!enabled) return;
    // Whether a dialog was open when the key went down, read before any handler runs: the
    // dialog's own Esc handler may close it first (focus on the page, e.g. after the button
    // that had it became disabled), and that Esc must not also leave the screen.
    let dialogAtKeydown = false;
    // A key right after the Esc that closed a dialog still finds it in the page (its exit
    // styles come a frame or two later) but the dialog no longer has the keyboard: a key
    // aimed outside it within that moment belongs to the screen (Esc then `f` opens the filters).
    // Its focus may even still be inside the fading dialog.
    let escClosedDialogAt = -Infinity;
    let afterEscClose = false;
    const beforeAll = (e: KeyboardEvent) => {
      const open = dialogOpen();
      afterEscClose = e.key !== 'Escape' && e.timeStamp - escClosedDialogAt < 400;
      dialogAtKeydown = open && !afterEscClose;
      if (e.key === 'Escape' && open) escClosedDialogAt = e.timeStamp;
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (isTyping(e.target) || dialogAtKeydown || (fromDialog(e.target) && !afterEscClose)) return;
      if (e.key === 'Enter' && isActivatable(e.target)) return; // Enter on a button presses the button
      const handler = handlerFor(e.key);
      if (!handler) return;
      e.preventDefault();
      handler(e);
    };
    window.addEventListener('keydown', beforeAll, true);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', beforeAll, true);
      window.removeEventListener('keydown', onKey);
    };
  }, [enabled]);
}
