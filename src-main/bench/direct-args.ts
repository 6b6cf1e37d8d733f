import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Options of a bench script run directly (`npx tsx src-main/bench/X.ts …`), outside `cli bench`:
 * `--help` prints the usage, and an unknown option or a bad number gets one sentence and exit 2,
 * never a run with the defaults (a mistyped flag used to start the 1M buyer-risk bench).
 */
export function directArgs<O extends NonNullable<ParseArgsConfig['options']>>(usage: string, options: O) {
  failInOneSentence();
  try {
    const { values, positionals } = parseArgs({
      args: process.argv.slice(2),
      options: { ...options, help: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    if ((values as Record<string, unknown>).help === true) {
      process.stdout.write(`${usage.trim()}\n`);
      process.exit(0);
    }
    return { values, positionals };
  } catch (e) {
    // Node's own sentence for an unknown option runs on about positionals after "--": name the known ones instead.
    const err = e as Error & { code?: string };
    const option = /'(-[^']*)'/.exec(err.message)?.[1];
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option)
      return fail(`unknown option ${option} (known: ${[...Object.keys(options), 'help'].map((k) => `--${k}`).join(', ')})`);
    return fail(err.message);
  }
}

/** A whole number option (undefined when absent); anything else ends the script with one sentence. */
export function wholeNumber(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < 0)
    fail(`--${name} must be a whole number, got ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return n;
}

function fail(message: string): never {
  process.stderr.write(`${message} (--help lists the options)\n`);
  process.exit(2);
}

/**
 * A script run directly ends on an error with its message, not a stack trace: a file that is not a
 * SQLite database, a folder that cannot be written (session 29: case-writes-count on a text file
 * printed better-sqlite3's stack). Installed once, by directArgs: only scripts run directly call it.
 */
function failInOneSentence(): void {
  if (process.listenerCount('uncaughtException') > 0) return;
  const end = (e: unknown) => {
    const err = e as { message?: unknown; code?: unknown };
    const code = typeof err?.code === 'string' ? ` (${err.code})` : '';
    process.stderr.write(`${typeof err?.message === 'string' ? err.message : String(e)}${code}: stopped (--help lists the options)\n`);
    process.exit(1);
  };
  process.on('uncaughtException', end);
  process.on('unhandledRejection', end);
}
