import { randomUUID } from 'node:crypto';
import { MAX_NOTES_PER_CASE, type NoteView, type SecondOpinionItem } from '../../contract/casework';
import type { CaseStatus, Reason } from '../../contract/domain';
import { AppFailure } from '../../contract/errors';
import { toIso } from '../../contract/primitives';
import { appendEvents } from '../../db/repos/case-write';
import { caseExists } from '../../db/repos/case-reads';
import {
  activeSupervisors,
  activeUsers,
  countNotes,
  insertNote,
  markAnswered,
  noteById,
  notesOf,
  openSecondOpinions,
  type NoteRow,
} from '../../db/repos/casework';
import type { Db } from '../../db/connect';
import type { WriteTx } from '../../db/tx';

/**
 * Internal notes on a case (issue 17): for mediators and supervisors only. A note never
 * reaches a letter or the feed (the outbox is derived from engine changes only, and a note is
 * not one); the audit log records that a note was written and whom it asked, never its text,
 * so the timeline an analyst reads does not carry it either.
 */

/** "@oleg" names a user by id; the first mention of an active supervisor asks them for a second opinion. */
export function mentionedIds(body: string): string[] {
  return [...new Set([...body.matchAll(/(?<![\w.])@([A-Za-z0-9][A-Za-z0-9._-]{0,127})/g)].map((m) => m[1]!.replace(/[.]+$/, '')))];
}

export function noteView(r: NoteRow): NoteView {
  return {
    id: r.id,
    caseId: r.case_id,
    authorId: r.author_id,
    authorName: r.author_name,
    kind: r.kind === 'consistency' ? 'consistency' : 'note',
    body: r.body,
    createdAt: toIso(r.created_at),
    mention: r.mention_id
      ? {
          userId: r.mention_id,
          name: r.mention_name ?? r.mention_id,
          answeredAt: r.answered_at === null ? null : toIso(r.answered_at),
          answeredByNote: r.answered_by_note,
        }
      : null,
    answers: r.answers_id,
  };
}

export async function listNotes(db: Db, caseId: string) {
  if (!(await caseExists(db, caseId))) throw new AppFailure('NOT_FOUND', `There is no case ${caseId}.`);
  const [rows, supervisors] = await Promise.all([notesOf(db, caseId, MAX_NOTES_PER_CASE), activeSupervisors(db)]);
  return { notes: rows.map(noteView), supervisors: supervisors.map((s) => ({ userId: s.id, name: s.name })) };
}

/**
 * Writes a note in the caller's transaction: bounded per case, a mention resolved to an active
 * supervisor (someone else), an answer only to an open request addressed to the author. Audited.
 */
export async function writeNote(
  tx: WriteTx,
  input: { caseId: string; body: string; answers?: string | undefined; kind?: 'note' | 'consistency' },
  authorId: string,
  now: number,
): Promise<string> {
  if (!(await caseExists(tx, input.caseId))) throw new AppFailure('NOT_FOUND', `There is no case ${input.caseId}.`, 'caseId');
  const count = await countNotes(tx, input.caseId);
  if (count >= MAX_NOTES_PER_CASE)
    throw new AppFailure('VALIDATION', `Case ${input.caseId} already holds ${MAX_NOTES_PER_CASE} notes, the most one case keeps.`, 'body');
  const mentioned = mentionedIds(input.body).filter((id) => id !== authorId);
  const users = await activeUsers(tx, mentioned.slice(0, 20));
  const unknown = mentioned.slice(0, 20).find((id) => !users.some((u) => u.id === id));
  if (unknown)
    throw new AppFailure('VALIDATION', `There is no active user @${unknown}; mention a supervisor by their user id, e.g. @oleg.`, 'body');
  const supervisor = mentioned.map((id) => users.find((u) => u.id === id && u.role === 'supervisor')).find(Boolean) ?? null;
  if (mentioned.length && !supervisor)
    throw new AppFailure('VALIDATION', `Only a supervisor can be asked for a second opinion; @${mentioned[0]} is not one.`, 'body');

  // The count first, so notes written in the same millisecond still list in the order written.
  const id = `${String(count + 1).padStart(4, '0')}-${randomUUID()}`;
  if (input.answers !== undefined) {
    const request = await noteById(tx, input.answers);
    if (!request || request.case_id !== input.caseId)
      throw new AppFailure('NOT_FOUND', `There is no second-opinion request ${input.answers} on case ${input.caseId}.`, 'answers');
    if (request.mention_id !== authorId)
      throw new AppFailure(
        'FORBIDDEN',
        `That second opinion was asked of ${request.mention_name ?? request.mention_id ?? 'nobody'}, not of you.`,
        'answers',
      );
  }
  await insertNote(tx, {
    id,
    caseId: input.caseId,
    authorId,
    kind: input.kind ?? 'note',
    body: input.body,
    mentionId: supervisor?.id ?? null,
    answersId: input.answers ?? null,
    at: now,
  });
  if (input.answers !== undefined && !(await markAnswered(tx, input.answers, id, now)))
    throw new AppFailure('CONFLICT', 'That second opinion was already answered; read the answer before writing another.', 'answers');
  // The audit log keeps who wrote a note and whom it asked; the text stays in case_notes.
  await appendEvents(tx, input.caseId, [
    {
      at: now,
      actor: authorId,
      type: input.answers ? 'note.second_opinion_given' : supervisor ? 'note.second_opinion_asked' : 'note.added',
      details: {
        noteId: id,
        kind: input.kind ?? 'note',
        ...(supervisor ? { asked: supervisor.id } : {}),
        ...(input.answers ? { answers: input.answers } : {}),
      },
    },
  ]);
  return id;
}

export async function secondOpinionsFor(db: Db, supervisorId: string): Promise<{ items: SecondOpinionItem[] }> {
  const rows = await openSecondOpinions(db, supervisorId, 200);
  return {
    items: rows.map((r) => ({
      noteId: r.id,
      caseId: r.case_id,
      reason: r.reason as Reason,
      status: r.status as CaseStatus,
      fromId: r.author_id,
      fromName: r.author_name,
      body: r.body,
      askedAt: toIso(r.created_at),
    })),
  };
}

export async function readNote(db: Db, id: string): Promise<NoteView> {
  const row = await noteById(db, id);
  if (!row) throw new AppFailure('NOT_FOUND', `There is no note ${id}.`);
  return noteView(row);
}
