import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The environment, parsed once with zod: the variables the application reads, what each may
 * hold, and a sentence naming the variable when one is wrong (instead of a stack trace later).
 */
const DatabaseUrl = z
  .string()
  .trim()
  .refine((v) => v === '' || /^(postgres(ql)?:\/\/|sqlite:|pglite:)/.test(v) || v === ':memory:' || !/^[a-z][a-z0-9+.-]*:\/\//i.test(v), {
    message: 'must be postgres://user:password@host/database, sqlite:<file>, or a file path',
  });

const Environment = z.object({
  /** A team's shared PostgreSQL (postgres://…) or an SQLite file; empty or unset: the embedded default. */
  DATABASE_URL: DatabaseUrl.optional(),
  /** Where `npm start` / `npm run serve` keep their data; default ./.data. */
  MEDIATION_DESK_DATA: z.string().trim().min(1, 'must name a folder').optional(),
});

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
}

export class ConfigError extends Error {}

export function readConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = Environment.safeParse({ DATABASE_URL: env.DATABASE_URL, MEDIATION_DESK_DATA: env.MEDIATION_DESK_DATA });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`The environment variable ${issue.path.join('.')} ${issue.message}; fix it or unset it.`);
  }
  const { DATABASE_URL, MEDIATION_DESK_DATA } = parsed.data;
  return { databaseUrl: DATABASE_URL || undefined, dataDir: resolve(MEDIATION_DESK_DATA ?? '.data') };
}
