import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CAPPED_ARENAS_FROM_BYTES,
  IMPORT_MALLOC_ARENAS,
  IMPORT_MALLOC_THRESHOLDS,
  cappedArenasEnv,
  inputSize,
} from '../../src-main/cli/malloc-arenas';

/**
 * `cli import` of a large file runs itself again with few glibc allocator arenas (issue 16,
 * session 30: a 1M import's peak 448 → 405 MB): only on Linux, only when the caller did not set
 * the variable, only for inputs large enough that a second start is worth its second of CPU.
 */
describe('an import runs again with capped allocator arenas', () => {
  const big = CAPPED_ARENAS_FROM_BYTES;

  it('on Linux, a large input, the variable unset: the same environment plus MALLOC_ARENA_MAX and fixed thresholds', () => {
    const env = cappedArenasEnv('linux', { PATH: '/bin', DATABASE_URL: 'x' }, big);
    expect(env).toEqual({
      PATH: '/bin',
      DATABASE_URL: 'x',
      MALLOC_ARENA_MAX: IMPORT_MALLOC_ARENAS,
      MALLOC_MMAP_THRESHOLD_: '262144',
      MALLOC_TRIM_THRESHOLD_: '4194304',
    });
  });

  it("the caller's own thresholds are kept", () => {
    const env = cappedArenasEnv('linux', { MALLOC_TRIM_THRESHOLD_: '1' }, big);
    expect(env).toEqual({ ...IMPORT_MALLOC_THRESHOLDS, MALLOC_TRIM_THRESHOLD_: '1', MALLOC_ARENA_MAX: IMPORT_MALLOC_ARENAS });
  });

  it('runs in this process: another platform, a variable the caller set (even empty), a small or unknown input', () => {
    expect(cappedArenasEnv('darwin', {}, big)).toBeNull();
    expect(cappedArenasEnv('win32', {}, big)).toBeNull();
    expect(cappedArenasEnv('linux', { MALLOC_ARENA_MAX: '8' }, big)).toBeNull();
    expect(cappedArenasEnv('linux', { MALLOC_ARENA_MAX: '' }, big)).toBeNull();
    expect(cappedArenasEnv('linux', {}, big - 1)).toBeNull();
    expect(cappedArenasEnv('linux', {}, null)).toBeNull();
  });

  it("reads the input's size: a file's bytes; null for a flag, a folder or a missing file", () => {
    const dir = mkdtempSync(join(tmpdir(), 'md-arenas-'));
    const file = join(dir, 'in.ndjson');
    writeFileSync(file, '');
    truncateSync(file, big); // sparse: no disk used
    expect(inputSize(file)).toBe(big);
    expect(inputSize('--db')).toBeNull();
    expect(inputSize(dir)).toBeNull();
    expect(inputSize(join(dir, 'missing.ndjson'))).toBeNull();
    expect(inputSize(undefined)).toBeNull();
  });
});
