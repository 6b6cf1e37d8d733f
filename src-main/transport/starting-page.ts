/**
 * The page a desk shows while it starts (electron/main.ts): opening the database, running its
 * migrations and, after a risk-model upgrade or an interrupted first load, rescoring every buyer
 * (app/risk/owed-scores.ts) — a minute or more on a million buyers, during which the window used
 * to stay closed and the desk looked dead. No script (the window's policy allows none inline):
 * main loads the page again with each progress line, and a native indeterminate <progress>
 * moves on its own between them.
 */

export interface StartingProgress {
  /** When the start began (epoch ms, UTC). */
  startedAt: number;
  /** The progress lines so far, oldest first (the recompute's phases). */
  lines: readonly string[];
}

/** At most this many of the newest lines are shown; the rest went to the log as well. */
const SHOWN_LINES = 12;
/** A line longer than this is cut (the lines are ours, but the page must stay a page). */
const LINE_CHARS = 300;

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const clock = (epochMs: number): string => new Date(epochMs).toISOString().slice(11, 19);

export function startingPage(progress: StartingProgress): string {
  const shown = progress.lines.slice(-SHOWN_LINES).map((line) => (line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 1)}…` : line));
  const steps = shown.length
    ? `<ol class="steps">${shown.map((line, i) => `<li${i === shown.length - 1 ? ' aria-current="step"' : ''}>${escapeHtml(line)}</li>`).join('')}</ol>`
    : '<p class="quiet">Opening the case database…</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mediation Desk — starting</title>
<style>
  :root { color-scheme: light; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f8f9fa; color: #212529;
    font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  main { width: min(560px, calc(100vw - 48px)); background: #fff; border: 1px solid #dee2e6; border-radius: 8px; padding: 28px 32px; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .quiet { color: #495057; margin: 0; }
  progress { width: 100%; height: 6px; margin: 18px 0 14px; accent-color: #1c7ed6; }
  .steps { margin: 0; padding-left: 20px; color: #495057; font-size: 13px; max-height: 40vh; overflow: auto; }
  .steps li[aria-current] { color: #212529; font-weight: 600; }
  .note { margin: 16px 0 0; font-size: 13px; color: #495057; }
</style>
</head>
<body>
<main>
  <h1>Mediation Desk is starting</h1>
  <p class="quiet">Started at ${clock(progress.startedAt)} UTC. The queue opens by itself when the desk is ready.</p>
  <progress aria-label="Starting the desk"></progress>
  <section aria-label="What the desk is doing" role="status">${steps}</section>
  <p class="note">After an update of the risk model the desk rescores every buyer once, in one transaction:
  on a large database this takes a minute or more. Closing the desk now loses nothing; the next start does it again.</p>
</main>
</body>
</html>
`;
}
