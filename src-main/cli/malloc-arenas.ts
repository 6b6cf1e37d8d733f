import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { constants } from 'node:os';

/**
 * glibc's allocator gives each thread that allocates its own arena (up to 8 per core), and memory
 * freed in an arena stays in it. An import's load runs check workers, libuv's pool and V8's helper
 * threads: by the end-of-load scoring their arenas hold ~40 MB nobody uses, under the import's
 * peak (issue 16, session 30: a 1M import peaked at 448 MB, 405 MB with MALLOC_ARENA_MAX=2 at the
 * same CPU). glibc reads the variable once, when the process starts, so `cli import` runs itself
 * again with it set. Only on Linux (glibc; musl ignores it) and only when the caller did not set it.
 */
export const IMPORT_MALLOC_ARENAS = '2';

/**
 * And fixed thresholds (setting them turns off glibc's own adjustment): by default, each freed
 * mmap'd block raises the mmap threshold to its size (up to 32 MiB) and the trim threshold to
 * twice that, so after the scoring's first large typed arrays are freed, the next ones (and
 * SQLite's large buffers) come from the main heap, and what is freed there stays resident under
 * the peak. With blocks of 256 KiB and more always mmap'd (handed back on free) and the heap's
 * free top trimmed past 4 MiB, a 300,000-dispute import's scoring sat ~20 MB lower, phase by phase
 * (issue 16, session 32).
 */
export const IMPORT_MALLOC_THRESHOLDS = { MALLOC_MMAP_THRESHOLD_: String(256 * 1024), MALLOC_TRIM_THRESHOLD_: String(4 * 2 ** 20) };

/**
 * Inputs smaller than this run in this process: a second start costs ~1 s of CPU (20,000 disputes:
 * 5–6 s in all), and up to ~100,000 disputes the import's peak is the load's, not the scoring's.
 */
export const CAPPED_ARENAS_FROM_BYTES = 256 * 2 ** 20;

/** The environment to run an import of `inputBytes` again with, or null to run it in this process. */
export function cappedArenasEnv(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, inputBytes: number | null): NodeJS.ProcessEnv | null {
  if (platform !== 'linux' || env.MALLOC_ARENA_MAX !== undefined) return null;
  if (inputBytes === null || inputBytes < CAPPED_ARENAS_FROM_BYTES) return null;
  return { ...IMPORT_MALLOC_THRESHOLDS, ...env, MALLOC_ARENA_MAX: IMPORT_MALLOC_ARENAS };
}

/**
 * Runs this same command line again in a child with `env`, its stdin, stdout and stderr this
 * process's own, and ends with its exit code. Ctrl-C reaches the child through the terminal's
 * process group, so this process ignores it and waits; a signal sent to this process alone is
 * passed on.
 */
export function runAgainWith(env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { env, stdio: 'inherit' });
    // SIGINT: the child had it too (same process group); sending it again would cut its own clean stop short.
    const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map(
      (s) => [s, s === 'SIGINT' ? () => undefined : () => void child.kill(s)] as const,
    );
    for (const [s, h] of handlers) process.on(s, h);
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      for (const [s, h] of handlers) process.removeListener(s, h);
      // Ended by a signal: the shell's convention, 128 + its number (SIGINT 130, SIGTERM 143).
      process.exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      done();
    });
  });
}

/** The size of the import's input file, or null (a flag first, no such file: the import in this process says so). */
export function inputSize(file: string | undefined): number | null {
  if (!file || file.startsWith('-')) return null;
  try {
    const st = statSync(file);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}
