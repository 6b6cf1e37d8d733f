import type { Generated } from 'kysely';

/** Row types of migrations/0009_accounts_sessions (the users columns it adds are in schema.ts). */
export interface SignInThrottleTable {
  user_id: string;
  /** Where attempts come from: `desktop:<installation>`, `device:<hash>` (a browser that signed in before) or `ip:<address>`. */
  source: string;
  failures: Generated<number>;
  locked_until: number | null;
  updated_at: number;
}
export interface KnownSourcesTable {
  user_id: string;
  source: string;
  first_at: number;
  last_at: number;
}
export interface SessionsTable {
  /** Hex SHA-256 of the session token; the token is only ever in the cookie or main's memory. */
  id: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  source: string;
  user_agent: string;
  ended_at: number | null;
  /** signed-out | idle | expired | replaced | signed-out-elsewhere | deactivated | password-changed | cap */
  end_reason: string | null;
}
export interface ResetCodesTable {
  user_id: string;
  code_hash: string;
  issued_by: string;
  issued_at: number;
  expires_at: number;
  attempts: Generated<number>;
  used_at: number | null;
}
export interface FirstRunTable {
  id: string;
  user_id: string;
  at: number;
}
export interface AccountAuditTable {
  id: Generated<number>;
  at: number;
  actor: string;
  event: string;
  subject: string;
  /** JSON, bounded by the writer (db/repos/account-audit.ts). */
  details: string;
}

export interface AccountTables {
  sign_in_throttle: SignInThrottleTable;
  known_sources: KnownSourcesTable;
  sessions: SessionsTable;
  reset_codes: ResetCodesTable;
  first_run: FirstRunTable;
  account_audit: AccountAuditTable;
}
