import { AppFailure } from '../../contract/errors';
import { deleteTranslation, messageExists, saveTranslation } from '../../db/repos/message-translations';
import { caseExists } from '../../db/repos/case-reads';
import type { Db } from '../../db/connect';
import { inWriteTx } from '../../db/tx';

/**
 * A mediator's translation of a party's message, shown beside the original on the case. It
 * never changes the message or the dispute; an empty text removes the translation.
 */
export async function translateMessage(
  db: Db,
  input: { caseId: string; messageSeq: number; text: string },
  userId: string,
  now: number,
): Promise<{ caseId: string; messageSeq: number; translation: string | null }> {
  if (!(await caseExists(db, input.caseId))) throw new AppFailure('NOT_FOUND', `There is no case ${input.caseId}.`);
  if (!(await messageExists(db, input.caseId, input.messageSeq)))
    throw new AppFailure('NOT_FOUND', `Case ${input.caseId} has no message number ${input.messageSeq}.`);
  const text = input.text.trim();
  await inWriteTx(db, (tx) =>
    text
      ? saveTranslation(tx, { caseId: input.caseId, messageSeq: input.messageSeq, text, by: userId, at: now })
      : deleteTranslation(tx, input.caseId, input.messageSeq),
  );
  return { caseId: input.caseId, messageSeq: input.messageSeq, translation: text || null };
}
