import { afterEach, beforeEach } from 'vitest';
import { importDisputes } from '../../src-main/app/intake/intake';
import type { Db } from '../../src-main/db/connect';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import type { Actor } from '../../src-main/engine/commands';
import { Dispute } from '../../src-main/contract/dispute';
import { AppFailure } from '../../src-main/contract/errors';
import { openTestDb } from './harness';

/**
 * The set-up the command-path db tests share (concurrency, take-next): a fresh database of
 * one dialect per test, the policy in force and a population of escalated disputes imported
 * at NOW, closed after the test.
 */

export const NOW = Date.parse('2026-03-10T12:00:00Z');
export const HOUR = 3_600_000;
export const mediator = (id: string): Actor => ({ kind: 'user', id, role: 'mediator' });

export const demoDisputes = (cases: number, seed: number): Dispute[] =>
  [...generateDemoDisputes({ cases, now: NOW, seed })].map((d) => Dispute.parse(d));

/** A fresh database with the policy and `disputes` imported. */
export async function openImportedDesk(url: string, disputes: Dispute[]): Promise<Db> {
  const db = await openTestDb(url);
  await ensurePolicy(db, NOW);
  await importDisputes(db, disputes, NOW);
  return db;
}

/** Registers, in the calling describe, a fresh imported database per test; the getter answers the current one. */
export function importedDeskPerTest(url: () => string, disputes: Dispute[]): () => Db {
  let db: Db | null = null;
  beforeEach(async () => {
    db = await openImportedDesk(url(), disputes);
  });
  afterEach(async () => {
    await db?.destroy();
    db = null;
  });
  return () => db!;
}

/** The error code a command failed with (null when it succeeded). */
export async function failureOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (e) {
    return e instanceof AppFailure ? e.code : String(e);
  }
}
