import { createHash } from 'node:crypto';
import { z } from 'zod';
import { hashesAt, headsPage } from '../../db/repos/audit-reads';
import type { Reader } from '../../db/tx';
import type { CaseFinding } from './verify';

/**
 * The day's chain heads, for someone outside the installation to hold: for every case with
 * an event that day (UTC), its last event's position and hash at the end of the day, and one
 * root over them all: SHA-256 of the "caseId TAB seq TAB hash" lines in the document's
 * order (case id order as the database sorts it; anyone can recompute it from the file). Whoever holds
 * the document (or only its root) can later check the history still extends every head:
 * rewriting even the newest event of a case, or deleting it, then shows.
 */

export const HEADS_FORMAT = 'mediation-desk/audit-heads@1';
const DAY_MS = 86_400_000;

export const HeadsDocument = z.object({
  format: z.literal(HEADS_FORMAT),
  date: z.string(),
  until: z.string(),
  heads: z.array(z.object({ caseId: z.string().max(200), seq: z.number().int().positive(), hash: z.string().regex(/^[0-9a-f]{64}$/) })),
  cases: z.number().int(),
  root: z.string().regex(/^[0-9a-f]{64}$/),
});
export type HeadsDocument = z.infer<typeof HeadsDocument>;

export const headLine = (h: { caseId: string; seq: number; hash: string }) => `${h.caseId}\t${h.seq}\t${h.hash}\n`;

/** The window of one UTC day, `YYYY-MM-DD`; null when it is not a real date. */
export function dayWindow(date: string): { since: number; until: number } | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const since = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(since) || new Date(since).toISOString().slice(0, 10) !== date) return null;
  return { since, until: since + DAY_MS };
}

/**
 * Streams the heads of one day: `write` receives the document in pieces (a million cases
 * never sit in memory), heads in case order, the root last.
 */
export async function exportHeads(db: Reader, date: string, write: (text: string) => void): Promise<{ cases: number; root: string }> {
  const window = dayWindow(date);
  if (!window) throw new Error(`not a date: ${date}`);
  const root = createHash('sha256');
  write(
    `{"format":${JSON.stringify(HEADS_FORMAT)},"date":${JSON.stringify(date)},"until":${JSON.stringify(new Date(window.until).toISOString())},"heads":[`,
  );
  let cases = 0;
  let after: string | null = null;
  for (;;) {
    const page = await headsPage(db, window, after, 1000);
    for (const h of page) {
      if (h.hash === null) continue;
      const head = { caseId: h.caseId, seq: h.seq, hash: h.hash };
      root.update(headLine(head));
      write(`${cases ? ',' : ''}\n${JSON.stringify(head)}`);
      cases++;
    }
    if (page.length < 1000) break;
    after = page[page.length - 1]!.caseId;
  }
  const digest = root.digest('hex');
  write(`\n],"cases":${cases},"root":"${digest}"}\n`);
  return { cases, root: digest };
}

/** The root a heads document's own heads give (it must equal the root it states). */
export function rootOf(doc: HeadsDocument): string {
  const root = createHash('sha256');
  for (const h of doc.heads) root.update(headLine(h));
  return root.digest('hex');
}

/** Cases whose history no longer extends the head the document holds for them. */
export async function checkHeads(db: Reader, doc: HeadsDocument): Promise<CaseFinding[]> {
  const findings: CaseFinding[] = [];
  for (let i = 0; i < doc.heads.length; i += 500) {
    const part = doc.heads.slice(i, i + 500);
    const now = await hashesAt(db, part);
    for (const h of part) {
      const current = now.get(`${h.caseId}#${h.seq}`);
      if (current === undefined)
        findings.push({ caseId: h.caseId, problems: [`event ${h.seq}, its exported head of ${doc.date}, was deleted`] });
      else if (current !== h.hash)
        findings.push({
          caseId: h.caseId,
          problems: [`the history no longer extends its exported head of ${doc.date}: event ${h.seq} has another hash`],
        });
    }
  }
  return findings;
}
