import type { Reader, WriteTx } from '../tx';

/** Mediators' translations of party messages (0016), one per message. */
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
