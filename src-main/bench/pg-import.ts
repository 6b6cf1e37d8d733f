/**
 * The import into PostgreSQL (the COPY path of db/copy.ts): the real CLI in a child process,
 * into a database of its own on the server --pg names, with the same input file as the SQLite
 * import of the same run. Its baseline is that SQLite import: the ratio says what a team's
 * server costs against the embedded default on this machine (the server shares its cores).
 */
export interface ChildRun {
  code: number | null;
  stdout: string;
  stderrTail: string;
  problemLines: number;
  wallSeconds: number;
  peakRssMB: number | null;
}

export async function benchPgImport(opts: {
  url: string;
  file: string;
  disputes: number;
  targetSeconds: number;
  sqlite: { seconds: number; peakRssMB: number | null };
  runImport(dbUrl: string): Promise<ChildRun>;
  log(msg: string): void;
}) {
  const pg = await import('pg');
  const { Client } = pg.default ?? pg;
  const name = `md_bench_import_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: opts.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(opts.url);
    url.pathname = `/${name}`;
    opts.log(`pgImport: ${opts.disputes.toLocaleString('en')} disputes through COPY into ${name}…`);
    const run = await opts.runImport(url.toString());
    if (run.code !== 0) throw new Error(`cli import into PostgreSQL failed (exit ${run.code}): ${run.stderrTail}`);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { created?: number; timings?: Record<string, number> };
    const counted = new Client({ connectionString: url.toString() });
    await counted.connect();
    const rows = Number((await counted.query<{ n: string }>('SELECT count(*) AS n FROM cases')).rows[0]!.n);
    const bytes = Number((await counted.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b')).rows[0]!.b);
    await counted.end();
    opts.log(`pgImport: ${run.wallSeconds.toFixed(1)} s, peak RSS ${run.peakRssMB ?? '?'} MB, ${rows} cases`);
    const r2 = (x: number) => Math.round(x * 100) / 100;
    return {
      disputes: opts.disputes,
      seconds: r2(run.wallSeconds),
      disputesPerSecond: Math.round(opts.disputes / run.wallSeconds),
      timingsMs: summary.timings ?? null,
      peakRssMB: run.peakRssMB,
      created: summary.created ?? null,
      casesInDatabase: rows,
      databaseMB: Math.round(bytes / 2 ** 20),
      problemLines: run.problemLines,
      target: { seconds: r2(opts.targetSeconds), note: '60 s per 1M disputes, scaled; the server shares the same 2 cores' },
      pass: run.wallSeconds <= opts.targetSeconds && rows === opts.disputes && run.problemLines === 0,
      baseline: { what: 'the SQLite import of the same file in this run', ...opts.sqlite },
      ratio: r2(run.wallSeconds / opts.sqlite.seconds),
    };
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
    await admin.end();
  }
}
