import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src-main/contract/errors';
import { DEFAULT_POLICY } from '../../src-main/contract/policy';
import type { PolicyPreviewView } from '../../src-main/contract/supervision';
import {
  editorReducer,
  initialEditorState,
  previewIsFresh,
  previewKey,
  type EditorState,
  type PolicyBase,
} from '../../src-renderer/src/features/supervision/policyDraft';

/** The policy editor's reducer: pure, so every step of a session can be replayed here. */

const v1: PolicyBase = { version: 1, policy: DEFAULT_POLICY };
const v2: PolicyBase = { version: 2, policy: { ...DEFAULT_POLICY, replyPeriodHours: DEFAULT_POLICY.replyPeriodHours + 24 } };
const previewOf = (basedOnVersion: number) => ({ basedOnVersion }) as unknown as PolicyPreviewView;
const refusal: AppError = { code: 'VALIDATION', message: 'policy.replyPeriodHours: too short', field: 'policy.replyPeriodHours' };
const run = (s: EditorState, ...actions: Parameters<typeof editorReducer>[1][]) => actions.reduce(editorReducer, s);

describe('policy editor state', () => {
  it('starts from the version in force, with a copy of its policy', () => {
    const s = initialEditorState(v1);
    expect(s).toMatchObject({ base: { version: 1 }, lastN: 200, preview: null, note: '', noteTried: false, serverError: null });
    expect(s.draft).toEqual(DEFAULT_POLICY);
    expect(s.draft).not.toBe(DEFAULT_POLICY);
    expect(s.draft.partialRates).not.toBe(DEFAULT_POLICY.partialRates);
  });

  it('edits a top-level field or one partial rate, and clears the last refusal', () => {
    const s = run(
      initialEditorState(v1),
      { type: 'refused', error: refusal },
      { type: 'edit', field: 'replyPeriodHours', value: 48 },
      { type: 'edit', field: 'partialRates.defective', value: '' },
    );
    expect(s.draft.replyPeriodHours).toBe(48);
    expect(s.draft.partialRates.defective).toBe('');
    expect(s.draft.partialRates.not_as_described).toBe(DEFAULT_POLICY.partialRates.not_as_described);
    expect(s.serverError).toBeNull();
  });

  it('a preview is fresh only for the exact draft, base and N it was made for, on the version in force', () => {
    let s = run(initialEditorState(v1), { type: 'edit', field: 'partialRates.defective', value: 0.3 });
    const key = previewKey(s);
    s = editorReducer(s, { type: 'previewed', key, view: previewOf(1) });
    expect(previewIsFresh(s, 1)).toBe(true);
    expect(previewIsFresh(s, 2)).toBe(false); // someone published meanwhile
    expect(previewIsFresh(editorReducer(s, { type: 'lastN', lastN: 50 }), 1)).toBe(false);
    expect(previewIsFresh(editorReducer(s, { type: 'edit', field: 'partialRates.defective', value: 0.31 }), 1)).toBe(false);
  });

  it('follows a newer version while nothing is edited, and keeps an edited draft', () => {
    const followed = editorReducer(initialEditorState(v1), { type: 'newerPublished', current: v2 });
    expect(followed.base.version).toBe(2);
    expect(followed.draft.replyPeriodHours).toBe(v2.policy.replyPeriodHours);

    const edited = run(initialEditorState(v1), { type: 'edit', field: 'evidenceRequestHours', value: 24 });
    const kept = editorReducer(edited, { type: 'newerPublished', current: v2 });
    expect(kept).toBe(edited);
    // Not newer: nothing to do.
    expect(editorReducer(followed, { type: 'newerPublished', current: v1 })).toBe(followed);
  });

  it('after a conflict, discards the draft or carries its own edits onto the newer version', () => {
    const edited = run(
      initialEditorState(v1),
      { type: 'edit', field: 'evidenceRequestHours', value: 24 },
      { type: 'previewed', key: 'k', view: previewOf(1) },
      { type: 'refused', error: { code: 'CONFLICT', message: 'Version 2 was published meanwhile' } },
    );
    const discarded = editorReducer(edited, { type: 'discard', current: v2 });
    expect(discarded).toMatchObject({ base: { version: 2 }, preview: null, serverError: null });
    expect(discarded.draft).toEqual(v2.policy);

    const rebased = editorReducer(edited, { type: 'rebase', current: v2 });
    expect(rebased).toMatchObject({ base: { version: 2 }, preview: null, serverError: null });
    expect(rebased.draft.evidenceRequestHours).toBe(24); // mine
    expect(rebased.draft.replyPeriodHours).toBe(v2.policy.replyPeriodHours); // theirs
  });

  it('reset goes back to the version in force but keeps the base it started from', () => {
    const s = run(initialEditorState(v1), { type: 'edit', field: 'replyPeriodHours', value: 12 }, { type: 'reset', current: v2 });
    expect(s.draft).toEqual(v2.policy);
    expect(s.base.version).toBe(1);
  });

  it('a note is required once publish was tried; publishing starts afresh from the new version', () => {
    let s = run(initialEditorState(v1), { type: 'publishTried' });
    expect(s.noteTried).toBe(true);
    s = run(s, { type: 'note', note: 'Shorter replies' }, { type: 'previewed', key: 'k', view: previewOf(1) });
    s = editorReducer(s, { type: 'published', version: v2 });
    expect(s).toMatchObject({ base: { version: 2 }, note: '', noteTried: false, preview: null, serverError: null });
    expect(s.draft).toEqual(v2.policy);
  });
});
