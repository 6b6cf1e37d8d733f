import { writeFileSync } from 'node:fs';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

/** Counts final outcomes (after retries) for tests/run-all.mjs's one closing line. */
export default class SummaryReporter implements Reporter {
  private outcomes = new Map<string, 'passed' | 'failed' | 'skipped'>();

  onTestEnd(test: TestCase, result: TestResult): void {
    this.outcomes.set(test.id, result.status === 'passed' ? 'passed' : result.status === 'skipped' ? 'skipped' : 'failed');
  }

  onEnd(result: FullResult): void {
    const count = (s: string) => [...this.outcomes.values()].filter((o) => o === s).length;
    const summary = {
      passed: count('passed'),
      failed: count('failed') + (result.status !== 'passed' && count('failed') === 0 ? 1 : 0),
      skipped: count('skipped'),
    };
    process.stdout.write(`\n${summary.passed} passed, ${summary.failed} failed${summary.skipped ? `, ${summary.skipped} skipped` : ''}\n`);
    if (process.env.MD_SUMMARY_FILE) writeFileSync(process.env.MD_SUMMARY_FILE, JSON.stringify(summary));
  }
}
