import { describe, expect, it } from 'vitest';
import { sortedStrings } from '../../src-main/engine/risk';

// The risk update sorts a buyer's links, a small group's members and a dispute's photos by
// insertion (sortedStrings) instead of copying, deduplicating and calling sort(): the result
// must be exactly the array sort() gives, for any strings, short lists and long.
describe('sortedStrings', () => {
  const pick = (seed: number) => {
    let s = seed;
    return () => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s;
    };
  };
  const alphabet = ['a', 'B', 'b', 'é', '\u{1F600}', '1', '10', '9', ':', '-', '\u0000'];
  it('gives what [...new Set([...a, ...b])].sort() and [...a, ...b].sort() give', () => {
    const next = pick(7);
    for (let round = 0; round < 3_000; round++) {
      const word = () => Array.from({ length: 1 + (next() % 4) }, () => alphabet[next() % alphabet.length]).join('');
      const a = Array.from({ length: next() % (round % 10 === 0 ? 90 : 8) }, word);
      const b = Array.from({ length: next() % 4 }, word);
      if (round % 3 === 0) a.sort(); // the usual input: an already sorted list and a few new ones
      expect(sortedStrings(a, b, true)).toEqual([...new Set([...a, ...b])].sort());
      expect(sortedStrings(a, b, false)).toEqual([...a, ...b].sort());
    }
  });
  it('leaves its inputs alone', () => {
    const a = ['c', 'a'];
    const b = ['b'];
    sortedStrings(a, b, false);
    expect(a).toEqual(['c', 'a']);
    expect(b).toEqual(['b']);
  });
});
