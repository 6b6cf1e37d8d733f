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
 * Inputs smaller than this run in this process: a second start costs ~1 s of CPU (20,000 disputes:
 * 5–6 s in all), and up to ~100,000 disputes the import's peak is the load's, not the scoring's.
 */
export const CAPPED_ARENAS_FROM_BYTES = 256 * 2 ** 20;

/** The environment to run an import of `inputBytes` again with, or null to run it in this process. */
export function cappedArenasEnv(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, inputBytes: number | null): NodeJS.ProcessEnv | null {
  if (platform !== 'linux' || env.MALLOC_ARENA_MAX !== undefined) return null;
  if (inputBytes === null || inputBytes < CAPPED_ARENAS_FROM_BYTES) return null;
  return { ...env, MALLOC_ARENA_MAX: IMPORT_MALLOC_ARENAS };
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
