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

/** Where the desktop serves the feed API (FEED.md): `host:port`, `[ipv6]:port`, or `off`. Loopback by default. */
const FeedListen = z
  .string()
  .trim()
  .transform((v, ctx) => {
    if (v === 'off') return null;
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(v);
    const port = Number(m?.[3]);
    if (!m || !Number.isInteger(port) || port < 1 || port > 65_535) {
      ctx.addIssue({ code: 'custom', message: 'must be host:port (e.g. 127.0.0.1:4781 or 0.0.0.0:4781) or off' });
      return z.NEVER;
    }
    return { host: (m[1] ?? m[2])!, port };
  });

const Environment = z.object({
  /** A team's shared PostgreSQL (postgres://…) or an SQLite file; empty or unset: the embedded default. */
  DATABASE_URL: DatabaseUrl.optional(),
  /** Where `npm start` / `npm run serve` keep their data; default ./.data. */
  MEDIATION_DESK_DATA: z.string().trim().min(1, 'must name a folder').optional(),
  MEDIATION_DESK_FEED_LISTEN: FeedListen.optional(),
});

export const DEFAULT_FEED_LISTEN = { host: '127.0.0.1', port: 4781 };

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  /** The desktop's feed API listener; null: off. */
  feedListen: { host: string; port: number } | null;
}

export class ConfigError extends Error {}

export function readConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = Environment.safeParse({
    DATABASE_URL: env.DATABASE_URL,
    MEDIATION_DESK_DATA: env.MEDIATION_DESK_DATA,
    MEDIATION_DESK_FEED_LISTEN: env.MEDIATION_DESK_FEED_LISTEN || undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`The environment variable ${issue.path.join('.')} ${issue.message}; fix it or unset it.`);
  }
  const { DATABASE_URL, MEDIATION_DESK_DATA, MEDIATION_DESK_FEED_LISTEN } = parsed.data;
  return {
    databaseUrl: DATABASE_URL || undefined,
    dataDir: resolve(MEDIATION_DESK_DATA ?? '.data'),
    feedListen: MEDIATION_DESK_FEED_LISTEN === undefined ? DEFAULT_FEED_LISTEN : MEDIATION_DESK_FEED_LISTEN,
  };
}
