import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { HistoryRecord } from '../contract/history';
import { HistoryScorer, toHistoryEvent } from '../engine/risk';
import { ArgError } from './args';
import { LineTooLong, ndjsonLines } from '../util/ndjson-lines';

/**
 * `score <history.ndjson>` (SCENARIOS.md): a buyer history, one record per line in time order,
 * scored on a fresh in-memory model; every buyer as of the last record, highest score first,
 * one JSON line each on stdout: {"accountId","score","reasons":[{"code","text","weight"}]}.
 *
 * A bad line (not JSON, not a record, a dispute of an unknown order) is reported on stderr
 * with its line number and skipped: exit 0 once the file was read. A file that cannot be
 * read, is not text, or has no valid record at all is refused: exit 2 with a message.
 */
export async function runScore(args: string[]): Promise<void> {
  const file = args.find((a) => !a.startsWith('--'));
  const option = args.find((a) => a.startsWith('--'));
  if (option) throw new ArgError(`unknown option ${option}: score takes only a history file (usage: cli score <history.ndjson>)`);
  if (!file || args.length !== 1) throw new ArgError('usage: cli score <history.ndjson>');
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new ArgError(`${file}: is not a file`);
  } catch (e) {
    if (e instanceof ArgError) throw e;
    throw new ArgError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const stream = createReadStream(file, { encoding: 'utf8' });
  await new Promise<void>((ok, ko) => {
    stream.once('open', () => ok());
    stream.once('error', (e) => ko(new ArgError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? e.message})`)));
  });

  const scorer = new HistoryScorer();
  const problems: string[] = [];
  const report = (line: number, message: string) => {
    problems.push(message);
    process.stderr.write(`${JSON.stringify({ line, message })}\n`);
  };
  let records = 0;
  let nonBlank = 0;
  let lastAt = Number.NEGATIVE_INFINITY;
  try {
    for await (const { line, text } of ndjsonLines(stream)) {
      if (text.trim() === '') continue;
      nonBlank++;
      if (text.includes('\u0000')) throw new ArgError(`${file}: line ${line} holds binary data; a history is NDJSON text`);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        report(line, `not valid JSON: ${(e as Error).message}`);
        continue;
      }
      const parsed = HistoryRecord.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.map(String).join('.');
        report(line, `${field || 'record'}: ${issue.message}`);
        continue;
      }
      const event = toHistoryEvent(parsed.data);
      if (event.at !== null && event.at < lastAt)
        process.stderr.write(
          `${JSON.stringify({ line, warning: 'earlier than the record before it; records should be in time order (scored anyway)' })}\n`,
        );
      const problem = scorer.add(event);
      if (problem) {
        report(line, problem);
        continue;
      }
      if (event.at !== null) lastAt = Math.max(lastAt, event.at);
      records++;
    }
  } catch (e) {
    if (e instanceof ArgError) throw e;
    if (e instanceof LineTooLong) throw new ArgError(`${file}: ${e.message}`);
    throw new ArgError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (nonBlank > 0 && records === 0)
    throw new ArgError(`${file}: no line is a history record (${problems.length} bad lines; first: ${problems[0]})`);

  const out: string[] = [];
  const flush = () => {
    if (out.length) process.stdout.write(out.join(''));
    out.length = 0;
  };
  for (const s of scorer.finish()) {
    out.push(`${JSON.stringify({ accountId: s.accountId, score: s.score, reasons: s.reasons })}\n`);
    if (out.length >= 1000) flush();
  }
  flush();
}
