import type { Reader, WriteTx } from '../tx';

/** Mediators' translations of party messages (0016), one per message; and the language each message is in (0024). */
export type MessageTranslationRow = { message_seq: number; text: string; translated_by: string; translated_at: number };

export async function translationsOf(db: Reader, caseId: string): Promise<MessageTranslationRow[]> {
  return db
    .selectFrom('message_translations')
    .select(['message_seq', 'text', 'translated_by', 'translated_at'])
    .where('case_id', '=', caseId)
    .orderBy('message_seq')
    .execute();
}

export async function messageExists(db: Reader, caseId: string, seq: number): Promise<boolean> {
  return !!(await db.selectFrom('messages').select('seq').where('case_id', '=', caseId).where('seq', '=', seq).executeTakeFirst());
}

/** Writes (or replaces) the translation of one message. */
export async function saveTranslation(
  tx: WriteTx,
  row: { caseId: string; messageSeq: number; text: string; by: string; at: number },
): Promise<void> {
  await tx
    .insertInto('message_translations')
    .values({ case_id: row.caseId, message_seq: row.messageSeq, text: row.text, translated_by: row.by, translated_at: row.at })
    .onConflict((oc) =>
      oc.columns(['case_id', 'message_seq']).doUpdateSet({ text: row.text, translated_by: row.by, translated_at: row.at }),
    )
    .execute();
}

export async function deleteTranslation(tx: WriteTx, caseId: string, messageSeq: number): Promise<void> {
  await tx.deleteFrom('message_translations').where('case_id', '=', caseId).where('message_seq', '=', messageSeq).execute();
}

/**
 * Keeps the language found for messages not looked at before (`language` still null): an ISO
 * 639-1 code, or '' when the identifier had no answer. A message already holding one is left
 * as it is, so two readers finding the same answer at once write it once.
 */
export async function storeMessageLanguages(
  tx: WriteTx,
  caseId: string,
  found: Array<{ seq: number; code: string; sure: boolean | null }>,
): Promise<void> {
  for (const f of found)
    await tx
      .updateTable('messages')
      .set({ language: f.code, language_sure: f.sure === null ? null : f.sure ? 1 : 0 })
      .where('case_id', '=', caseId)
      .where('seq', '=', f.seq)
      .where('language', 'is', null)
      .execute();
}
