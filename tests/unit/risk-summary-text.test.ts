import { describe, expect, it } from 'vitest';
import { summaryReasons } from '../../src-renderer/src/features/case/panels/riskSummaryText';

// Reasons as the model writes them (engine/risk/score.ts): each sign of intent ends with the buyer's context.
const context = '; the buyer opened disputes on 1 of 1 delivered order (smoothed 100 %; platform 100 %)';
const offPlatform = `asked to be paid off the platform in 1 of 2 disputes opened${context}`;
const threat = `threatened a bad review in 1 of 2 disputes opened${context}`;

describe('the Decide dialog’s one-line risk summary', () => {
  it('says the buyer’s context once, after the first sign that carries it', () => {
    const line = summaryReasons([offPlatform, threat, 'a third reason'], 2).join('; ');
    expect(line).toBe(`${offPlatform}; threatened a bad review in 1 of 2 disputes opened`);
    expect(line.split('the buyer opened disputes on').length - 1).toBe(1);
  });

  it('keeps a different context, reasons without one, and the count asked for', () => {
    const other = threat.replace('1 of 1 delivered order', '3 of 9 delivered orders');
    expect(summaryReasons([offPlatform, other], 2)).toEqual([offPlatform, other]);
    expect(summaryReasons(['many disputes', offPlatform, threat], 2)).toEqual(['many disputes', offPlatform]);
    expect(summaryReasons([], 2)).toEqual([]);
  });
});
