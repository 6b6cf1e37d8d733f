/**
 * `--help` for the commands that do not print their own (audit, eval, evidence, feed,
 * simulate-marketplace and users do): what each takes, on stdout, exit 0. Kept beside the
 * command table so a new command without help text fails the CLI test rather than a user.
 */
const DB = '--db <path or postgres://…>  the case database (default: $DATABASE_URL, else the SQLite file in the data folder)';

export const COMMAND_HELP: Record<string, string> = {
  replay: `usage: cli replay <scenario.json>
  Replays a scenario (timestamped calls of the desk's methods, SCENARIOS.md) on a fresh
  in-memory database with a simulated clock, and prints one JSON document on stdout.
  Refused steps are results; exit 2 with a message when the file is unreadable or invalid.`,
  score: `usage: cli score <history.ndjson>
  Scores a buyer history (one record per line, in time order) on a fresh model and prints one
  JSON line per buyer, highest score first: {"accountId","score","reasons":[…]}.
  A bad line is reported on stderr with its number and skipped; exit 2 when the file cannot be read.`,
  import: `usage: cli import <file.ndjson> [--db …] [--batch-size N] [--check-workers N]
  Imports escalated disputes, one per line, streamed. Refused lines go to stderr as JSON with
  their line number and reason; the summary goes to stdout; progress to stderr.
  ${DB}
  --batch-size N  disputes written per transaction (1 to 50000, default 2000)
  --check-workers N  threads that parse, validate and hash lines (0 to 8; default: one per spare core, 1 to 3; 0: none)
  On Linux a file of 256 MiB or more is imported by a second process with MALLOC_ARENA_MAX=2 (less memory held by
  the allocator); set MALLOC_ARENA_MAX yourself to keep it in one process with your value.`,
  demo: `usage: cli demo [--cases N] [--db …]
  Fills a database with the deterministic demo population, its week of history, its
  evidence files and the demo marketplace feed (token written beside the data).
  --cases N  escalated cases in the queue (1 to 2000000, default 3000)
  ${DB}`,
  serve: `usage: cli serve [--port N] [--db …] [--data-dir DIR] [--demo [--demo-cases N]] [--simulate] [--fresh] [--test-clock]
  Serves the desk (the same core as the desktop app) at http://127.0.0.1:<port>, with the
  marketplace feed API under /feed/v1/.
  --port N          port on 127.0.0.1 (0 to 65535, default 4780)
  ${DB}
  --data-dir DIR    where the SQLite file, evidence folder and feed token live (default: the user's data folder)
  --demo            fill an empty database with the demo population and accounts
  --demo-cases N    how many demo cases (1 to 2000000, default 3000)
  --simulate        run a simulated marketplace on the demo feed (new disputes, party answers)
  --fresh           use a new temporary data folder
  --test-clock      a clock the tests can move (never for real use)`,
  'evidence-gc': `usage: cli evidence-gc [--dry-run] [--grace-hours N] [--db …]
  Removes stored evidence files that no case refers to (evidence folder or PostgreSQL store).
  --dry-run         list what would be removed, remove nothing
  --grace-hours N   keep files younger than N hours, which an upload may be about to record (default 1)
  ${DB}`,
  bench: `usage: cli bench [options]   (npm run bench)
  Measures speed and memory and prints JSON, each figure beside a raw baseline in the same run.
  --cases N              disputes imported (default 1000000)      --runs N            repetitions per figure
  --sweep-cases N        defaults one sweep applies on the app's path (sweepApply), and as many on other
                         cases in the main thread (sweepApplyInProcess): 2 × N cases (default 10000)
  --catch-up N           cases in the catch-up run (default 100000; at most --cases − 2 × --sweep-cases)
  --catch-up-in-process  the catch-up in the main thread (as before its worker), for comparison
  --work-dir DIR / --keep   keep the files made                    --skip-baseline     no raw import baseline
  --skip-risk / --skip-evidence / --skip-audit / --skip-photo-match   leave a part out
  --risk-buyers N / --risk-orders N / --evidence-images N / --evidence-stored N
  --photo-products N / --photo-distractors N
  --pg <postgres://…>    also the team figures and the COPY import on PostgreSQL (or $BENCH_DATABASE_URL)
  --pg-cases N / --pg-presses N / --team-only / --skip-pg-import
  --pg-warm-presses N    untimed presses per mediator before the timed ones (default: --pg-presses; 0: a cold desk)
  --pg-reuse             team figures: keep the filled cases as a template database on the server and
                         start each run from a copy of it (seconds instead of a ~100 s fill at 1M)
  --app-cases N / --app-only / --skip-app   the app in Chromium on a demo database of N cases
  --consistency-cases N / --consistency-only / --reports-cases N / --reports-only
  --risk-sort-cases N / --risk-sort-only   the queue sorted by buyer risk (SQLite; PostgreSQL with --pg)`,
};

export function wantsHelp(args: string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}
