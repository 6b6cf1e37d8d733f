/**
 * Progress of a long CLI job on stderr: a bar with rate and time left on a terminal, one JSON
 * line per update otherwise (`{"progress":{…}}`, so a script or the bench can follow it).
 * Updates at most every 200 ms on a terminal and every 2 s in JSON.
 */
export interface ProgressReporter {
  update(done: { bytes: number; items: number }): void;
  finish(): void;
}

export function progressReporter(opts: {
  totalBytes: number;
  noun: string;
  stream?: NodeJS.WriteStream;
  now?: () => number;
}): ProgressReporter {
  const out = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => performance.now());
  const tty = out.isTTY === true;
  const started = now();
  let last = -Infinity;
  let shown = false;
  const render = (bytes: number, items: number, final: boolean) => {
    const t = now();
    if (!final && t - last < (tty ? 200 : 2_000)) return;
    last = t;
    const seconds = (t - started) / 1000;
    const fraction = opts.totalBytes > 0 ? Math.min(1, bytes / opts.totalBytes) : 1;
    const perSecond = seconds > 0 ? items / seconds : 0;
    const secondsLeft = fraction > 0 && !final ? Math.round((seconds * (1 - fraction)) / fraction) : 0;
    if (tty) {
      const width = 30;
      const filled = Math.round(fraction * width);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%  ${items.toLocaleString('en')} ${opts.noun}  ${Math.round(perSecond).toLocaleString('en')}/s  ${final ? `done in ${clock(seconds)}` : `${clock(secondsLeft)} left`}`;
      out.write(`\r${line}\u001b[K${final ? '\n' : ''}`);
    } else
      out.write(
        `${JSON.stringify({ progress: { [opts.noun]: items, bytes, totalBytes: opts.totalBytes, percent: Math.round(fraction * 1000) / 10, perSecond: Math.round(perSecond), seconds: Math.round(seconds * 10) / 10, secondsLeft, done: final } })}\n`,
      );
    shown = true;
  };
  let latest = { bytes: 0, items: 0 };
  return {
    update(done) {
      latest = done;
      render(done.bytes, done.items, false);
    },
    finish() {
      if (shown || latest.items > 0) render(opts.totalBytes, latest.items, true);
    },
  };
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}h ${pad(m)}m ${pad(s % 60)}s` : `${m}m ${pad(s % 60)}s`;
}
