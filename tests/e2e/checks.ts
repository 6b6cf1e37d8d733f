import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/**
 * The two outside-in checks every screen and every state of it (dialogs, drawers, menus,
 * toasts, errors) must pass: the layout (nothing off to the right, no pane scrolling sideways,
 * no button cut, overlapped or below the window) and axe-core's WCAG 2.2 AA rules (no serious
 * or critical violation). Shared by screens.spec.ts, accessibility.spec.ts and states.spec.ts.
 */

/** The window sizes the desk supports and is checked at (issue 17): 1024 × 640 to 2560 × 1440. */
export const SUPPORTED_SIZES = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
  { width: 1024, height: 640 },
  { width: 2560, height: 1440 },
] as const;

export interface LayoutProblem {
  what: string;
  detail: string;
}

/** Collects what is wrong with the layout of the page as shown now (run in the page). */
export async function layoutProblems(page: Page): Promise<LayoutProblem[]> {
  return page.evaluate(() => {
    const problems: Array<{ what: string; detail: string }> = [];
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const label = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
    const shown = (el: Element) => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return false;
      // For screen readers only (a chart's figures as a table): clipped to a pixel, never laid out on screen.
      if (el.closest('.mantine-VisuallyHidden-root')) return false;
      for (let a: Element | null = el; a; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.visibility === 'hidden' || s.display === 'none') return false;
      }
      return true;
    };
    if (document.documentElement.scrollWidth > vw + 1)
      problems.push({ what: 'page scrolls sideways', detail: `${document.documentElement.scrollWidth} > ${vw}` });

    // The main panes: the screens and the case's columns must not scroll sideways.
    for (const el of document.querySelectorAll('[data-testid$="-screen"], [role="grid"], .mantine-ScrollArea-viewport')) {
      if (!shown(el)) continue;
      const h = el as HTMLElement;
      // A table that is allowed to scroll sideways says so (data-scroll-x); none should need to.
      if (h.scrollWidth > h.clientWidth + 1 && !h.closest('[data-scroll-x]'))
        problems.push({ what: 'pane scrolls sideways', detail: `${label(el)} ${h.scrollWidth} > ${h.clientWidth}` });
    }

    // A table wider than the card or pane it sits in runs under its neighbours.
    for (const table of document.querySelectorAll('table')) {
      if (!shown(table)) continue;
      const box = table.parentElement?.closest('.mantine-Paper-root, [data-testid$="-screen"]');
      if (!box) continue;
      const t = table.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      if (t.right > b.right + 1 && !table.closest('[data-scroll-x]'))
        problems.push({ what: 'table wider than its card', detail: `${label(box)} ${Math.round(t.right)} > ${Math.round(b.right)}` });
    }

    // A column cut off by the box it sits in: allowed only in a region that scrolls sideways
    // and shows there is more (SideScroll: data-more-left / data-more-right, a shown scrollbar).
    for (const th of document.querySelectorAll('th')) {
      if (!shown(th)) continue;
      const t = th.getBoundingClientRect();
      for (let a = th.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX === 'visible') continue;
        const b = a.getBoundingClientRect();
        if (t.right <= b.right + 1 && t.left >= b.left - 1) continue;
        const region = a.closest('[data-scroll-x]');
        const says = region?.querySelector('[data-more-right], [data-more-left]') && a.scrollWidth > a.clientWidth + 1;
        if (!says)
          problems.push({ what: 'column cut off', detail: `${label(th)} ${Math.round(t.left)}..${Math.round(t.right)} in ${label(a)}` });
        break;
      }
    }

    // A table cell whose content runs into the next column (a crushed table).
    for (const td of document.querySelectorAll('td')) {
      if (!shown(td)) continue;
      const h = td as HTMLElement;
      // Also in a table that scrolls sideways: there the cell still runs into its neighbour
      // (the team table's "worth a look" badge was drawn over the next column's figure).
      if (h.scrollWidth > h.clientWidth + 1)
        problems.push({ what: 'cell content overflows', detail: `${label(td)} ${h.scrollWidth} > ${h.clientWidth}` });
    }

    // Buttons, tabs and links in view: inside the viewport, not clipped by an ancestor, text not cut.
    for (const el of document.querySelectorAll('button, [role="tab"], a[href], [role="button"]')) {
      if (!shown(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.bottom <= 0 || r.top >= vh) continue; // below the fold of a scrolling list: fine
      // Below the fold of a scrolling pane is fine; a dialog's buttons must show without scrolling.
      const scrolls = (a: Element) => /auto|scroll/.test(getComputedStyle(a).overflowY) && a.scrollHeight > a.clientHeight;
      let scroller = false;
      for (let a = el.parentElement; a && !a.classList.contains('mantine-Modal-content'); a = a.parentElement)
        if (scrolls(a)) scroller = true;
      if (scroller && (r.top < 0 || r.bottom > vh)) continue;
      // A wide table that scrolls sideways inside its own card (data-scroll-x) hides columns on purpose.
      const sideways = el.closest('[data-scroll-x]') !== null;
      if (!sideways && (r.left < -1 || r.right > vw + 1))
        problems.push({ what: 'button outside the window', detail: `${label(el)} ${Math.round(r.left)}..${Math.round(r.right)} of ${vw}` });
      else if (r.bottom > vh + 1)
        problems.push({ what: 'button below the window edge', detail: `${label(el)} bottom ${Math.round(r.bottom)} of ${vh}` });
      for (let a = el.parentElement; !sideways && a && a !== document.body; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.overflowX === 'visible') continue;
        const ar = a.getBoundingClientRect();
        if (r.right > ar.right + 1 || r.left < ar.left - 1) {
          problems.push({ what: 'button clipped sideways', detail: `${label(el)} by ${label(a)}` });
          break;
        }
      }
      // The label cut short ("Sign o"), or the key badge laid over it.
      for (const inner of [el, ...el.querySelectorAll('*')]) {
        const h = inner as HTMLElement;
        const s = getComputedStyle(h);
        if (
          (s.overflow === 'hidden' || s.overflowX === 'hidden' || s.textOverflow === 'ellipsis') &&
          h.scrollWidth > h.clientWidth + 1 &&
          !h.title
        )
          problems.push({ what: 'button text cut', detail: `${label(el)} (${h.scrollWidth} > ${h.clientWidth})` });
      }
      const labelEl = el.querySelector('.mantine-Button-label');
      const section = el.querySelector('.mantine-Button-section');
      if (labelEl && section) {
        const a = labelEl.getBoundingClientRect();
        const b = section.getBoundingClientRect();
        if (a.right > b.left + 1 && a.left < b.right - 1) problems.push({ what: 'key badge over the label', detail: label(el) });
      }
    }
    return problems;
  });
}

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** axe-core's serious and critical findings on the page as shown now, one line each naming the rule and the first element. */
export async function violations(page: Page, screen: string): Promise<string[]> {
  await page.waitForTimeout(300);
  // Only the violations are read, so axe is told so (resultTypes: the passes keep one node each
  // instead of a serialised element and selector for every node that passed), and runs with
  // axe.run in the page (legacy mode) instead of runPartial per frame + finishRun in a fresh blank
  // page, which serialises every node of every result whatever resultTypes says. The desk has no
  // iframes, so both find the same. Measured on the 3,000-case queue at 2560 × 1440 with three
  // planted violations (load 14–27, 3 alternating rounds): 23.5 / 30.0 / 33.2 s per call before,
  // 8.2 / 8.3 / 11.7 s after, the same violations (rule, impact, nodes, targets) each round.
  // Note: options() replaces the run options, so it comes before withTags (which adds runOnly).
  const result = await new AxeBuilder({ page })
    .options({ resultTypes: ['violations'] })
    .withTags(WCAG_TAGS)
    .setLegacyMode()
    .analyze();
  const size = page.viewportSize();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${screen} at ${size?.width}×${size?.height}: ${v.id} (${v.impact}) ${v.nodes.length}× e.g. ${v.nodes[0]?.target.join(' ')}`,
    );
}

/**
 * Tables a wide window stretched: more than `limit` of their width blank (the columns' widest
 * content against the table's width: the policy's rates stood 1,550 px from their reasons at
 * 2560 × 1440, the fairness monitor's six columns held 490 px of figures in 1,850), or one column
 * more than 1,000 px wider than its content (the team table's Mediator: 1,290 px for names of 130).
 * Content is text, and elements without element children (inputs, bars); tables under 1,000 px
 * are left alone.
 */
export async function stretchedTables(page: Page, limit = 0.6): Promise<LayoutProblem[]> {
  return page.evaluate((limit) => {
    const problems: Array<{ what: string; detail: string }> = [];
    const extent = (cell: Element) => {
      let left = Infinity;
      let right = -Infinity;
      const add = (r: DOMRect) => {
        if (r.width === 0 || r.height === 0) return;
        left = Math.min(left, r.left);
        right = Math.max(right, r.right);
      };
      const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        if (!n.textContent?.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        add(range.getBoundingClientRect());
      }
      for (const el of cell.querySelectorAll('*'))
        if (el.childElementCount === 0 && !el.textContent?.trim()) add(el.getBoundingClientRect());
      return Number.isFinite(left) ? right - left : 0;
    };
    for (const table of document.querySelectorAll('table')) {
      const t = table.getBoundingClientRect();
      if (t.width < 1000 || t.height === 0 || table.closest('.mantine-VisuallyHidden-root')) continue;
      let hidden = false;
      for (let a: Element | null = table; a && !hidden; a = a.parentElement) hidden = getComputedStyle(a).visibility === 'hidden';
      if (hidden) continue;
      const heads = [...table.querySelectorAll('thead tr:last-child th')];
      if (heads.length < 2) continue;
      const widest = heads.map((th) => extent(th));
      for (const tr of table.querySelectorAll('tbody tr')) {
        const cells = [...tr.children];
        if (cells.length !== heads.length) continue;
        cells.forEach((td, i) => (widest[i] = Math.max(widest[i]!, extent(td))));
      }
      const blank = 1 - widest.reduce((a, b) => a + b, 0) / t.width;
      const widestBlank = Math.max(...heads.map((h, i) => h.getBoundingClientRect().width - widest[i]!));
      const name = table.getAttribute('data-testid') ?? table.closest('[data-testid]')?.getAttribute('data-testid') ?? 'table';
      if (blank > limit || widestBlank > 1000)
        problems.push({
          what: 'table stretched',
          detail: `${name}: ${Math.round(blank * 100)} % of ${Math.round(t.width)} px blank (columns ${heads.map((h, i) => `${(h.textContent ?? '').trim() || '·'} ${Math.round(widest[i]!)}/${Math.round(h.getBoundingClientRect().width)}`).join(', ')})`,
        });
    }
    return problems;
  }, limit);
}
