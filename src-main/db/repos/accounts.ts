import type { Reader, WriteTx } from '../tx';

/** Marketplace accounts (buyers and sellers) as the desk labels them. */

export async function accountRole(db: Reader, accountId: string): Promise<{ id: string; role: string } | undefined> {
  return db.selectFrom('accounts').select(['id', 'role']).where('id', '=', accountId).executeTakeFirst();
}

/** Labels an account (e.g. a serial disputer) and keeps the label in its history. */
export async function labelAccount(
  tx: WriteTx,
  label: { accountId: string; label: string; note: string; by: string; at: number },
): Promise<void> {
  await tx
    .updateTable('accounts')
    .set({ label: label.label, label_note: label.note, labelled_by: label.by, labelled_at: label.at })
    .where('id', '=', label.accountId)
    .execute();
  await tx
    .insertInto('account_labels')
    .values({ account_id: label.accountId, label: label.label, note: label.note, labelled_by: label.by, labelled_at: label.at })
    .execute();
}
