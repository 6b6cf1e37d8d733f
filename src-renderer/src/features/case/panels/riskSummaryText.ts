/**
 * The sentence the fraud model ends each sign of intent's reason with (engine/risk/score.ts
 * `signContext`: how often the buyer opens disputes on delivered parcels), so that a reason read
 * alone in the buyer panel says why it weighs what it weighs. Joined in one line, the same
 * sentence after every sign reads as a stutter: the summary says it once, after the first.
 */
const CONTEXT = '; the buyer opened disputes on ';

/** The first `count` reasons, each context sentence said once. */
export function summaryReasons(reasons: readonly string[], count: number): string[] {
  const said = new Set<string>();
  return reasons.slice(0, count).map((reason) => {
    const at = reason.indexOf(CONTEXT);
    if (at < 0) return reason;
    const context = reason.slice(at);
    if (said.has(context)) return reason.slice(0, at);
    said.add(context);
    return reason;
  });
}
