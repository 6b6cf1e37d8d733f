import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWarmCalls } from '../../src-renderer/src/api/warm';

/** The renderer's warm calls (src-renderer/src/api/warm.ts): a call started before its screen renders, taken once. */
const fetchMethod = vi.fn();
const { fetchWarmOrCall, forgetWarmCalls, startWarmCall } = createWarmCalls(fetchMethod);

describe('warm calls', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance'] });
    fetchMethod.mockReset();
    let n = 0;
    fetchMethod.mockImplementation(() => Promise.resolve({ call: ++n }));
    forgetWarmCalls();
  });
  afterEach(() => vi.useRealTimers());

  it('answers the first fetch of the same input (keys in any order) from the call already started, once', async () => {
    startWarmCall('queue.list', { scope: 'unassigned', sort: { by: 'risk', dir: 'desc' }, limit: 100 });
    expect(fetchMethod).toHaveBeenCalledTimes(1);
    await expect(fetchWarmOrCall('queue.list', { limit: 100, sort: { dir: 'desc', by: 'risk' }, scope: 'unassigned' })).resolves.toEqual({
      call: 1,
    });
    expect(fetchMethod).toHaveBeenCalledTimes(1);
    // Taken: the next fetch (a refresh) asks the server again.
    await expect(fetchWarmOrCall('queue.list', { scope: 'unassigned', sort: { by: 'risk', dir: 'desc' }, limit: 100 })).resolves.toEqual({
      call: 2,
    });
  });

  it('does not answer another input, a stale call or a call from a session that ended', async () => {
    startWarmCall('queue.list', { scope: 'mine', limit: 100 });
    await expect(fetchWarmOrCall('queue.list', { scope: 'mine', limit: 200 })).resolves.toEqual({ call: 2 });
    await expect(fetchWarmOrCall('queue.list', { scope: 'unassigned', limit: 100 })).resolves.toEqual({ call: 3 });

    startWarmCall('queue.list', { scope: 'all', limit: 100 });
    vi.advanceTimersByTime(5_001);
    await expect(fetchWarmOrCall('queue.list', { scope: 'all', limit: 100 })).resolves.toEqual({ call: 5 });

    startWarmCall('queue.list', { scope: 'all', limit: 100 });
    forgetWarmCalls();
    await expect(fetchWarmOrCall('queue.list', { scope: 'all', limit: 100 })).resolves.toEqual({ call: 7 });
  });

  it('a refused warm call nobody takes is not an unhandled rejection; one taken rejects its taker', async () => {
    const refusal = new Error('UNAUTHENTICATED');
    fetchMethod.mockImplementation(() => Promise.reject(refusal));
    startWarmCall('queue.list', { scope: 'mine', limit: 100 });
    startWarmCall('queue.list', { scope: 'unassigned', limit: 100 });
    await expect(fetchWarmOrCall('queue.list', { scope: 'mine', limit: 100 })).rejects.toBe(refusal);
    await new Promise((r) => setImmediate(r)); // an unhandled rejection of the other would fail the run here
  });
});
