import type {
  CompiledQuery,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import type { Db } from '../db/connect';
import { explain } from '../db/dialect';

/**
 * Records the queries a service really runs, so the bench and the plan tests EXPLAIN the
 * SQL `queuePage` and `sweep` emit rather than a hand-made copy that could drift from it.
 */
export function capturing(db: Db): { db: Db; queries: () => CompiledQuery[]; reset: () => void } {
  let nodes: Array<{ node: RootOperationNode; queryId: PluginTransformQueryArgs['queryId'] }> = [];
  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      nodes.push({ node: args.node, queryId: args.queryId });
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return args.result;
    },
  };
  return {
    db: db.withPlugin(plugin),
    queries: () => nodes.map(({ node, queryId }) => db.getExecutor().compileQuery(node, queryId)),
    reset: () => {
      nodes = [];
    },
  };
}

/** The SQL of the first query `run` sends (the one whose plan matters) and its plan. */
export async function planOfFirstQuery(
  db: Db,
  run: (db: Db) => Promise<unknown>,
  pick: (sql: string) => boolean = () => true,
): Promise<{ sql: string; plan: string[] }> {
  const cap = capturing(db);
  await run(cap.db);
  const q = cap.queries().find((c) => pick(c.sql));
  if (!q) throw new Error('the service ran no matching query');
  return { sql: q.sql, plan: await explain(db, q) };
}

export interface PlanVerdict {
  ok: boolean;
  problems: string[];
}

/** A plan walks `index` for `table` and sorts nothing in a temporary b-tree. */
export function judgePlan(plan: string[], index: string, opts: { noTempSort?: boolean } = {}): PlanVerdict {
  const problems: string[] = [];
  if (!plan.some((l) => new RegExp(`INDEX ${index}\\b`).test(l))) problems.push(`does not use index ${index}`);
  if (opts.noTempSort !== false && plan.some((l) => l.includes('USE TEMP B-TREE'))) problems.push('sorts in a temporary b-tree');
  for (const l of plan) if (/^\s*SCAN\b/.test(l) && !l.includes('USING')) problems.push(`full scan: ${l.trim()}`);
  return { ok: problems.length === 0, problems };
}
