import type { AppError } from '../../../../src-main/contract/errors';
import type { PolicyPreviewView, PolicyVersionView } from '../../../../src-main/contract/supervision';
import { policyChanges, rebaseDraft, type Draft } from './policyFields';

/**
 * The policy editor's state and every way it changes, as one pure reducer: the draft, the
 * version it started from, the preview of that exact draft, the publish note, and the
 * core's last refusal. What the core answers arrives as actions; nothing here calls it.
 */

/** A published version as far as the editor needs it. */
export type PolicyBase = Pick<PolicyVersionView, 'version' | 'policy'>;

export interface EditorState {
  draft: Draft;
  /** The version the draft started from: publishing is refused (CONFLICT) if another came since. */
  base: PolicyBase;
  /** How many decided cases the preview replays (an emptied field is ''). */
  lastN: number | '';
  /** The last preview, with the key of the draft it was made for. */
  preview: { key: string; view: PolicyPreviewView } | null;
  note: string;
  /** Publish was pressed: an empty note now says it is required. */
  noteTried: boolean;
  serverError: AppError | null;
}

export type EditorAction =
  /** A field of the draft: `partialRates.<reason>` or a top-level key. */
  | { type: 'edit'; field: string; value: unknown }
  /** Back to the version in force, keeping the base and the preview ("Reset"). */
  | { type: 'reset'; current: PolicyBase }
  /** Someone published meanwhile: follow the new version if nothing is edited here. */
  | { type: 'newerPublished'; current: PolicyBase }
  /** Drop the draft and start again from the newer version. */
  | { type: 'discard'; current: PolicyBase }
  /** Carry the draft's own edits onto the newer version (theirs stay). */
  | { type: 'rebase'; current: PolicyBase }
  | { type: 'lastN'; lastN: number | '' }
  | { type: 'note'; note: string }
  | { type: 'previewed'; key: string; view: PolicyPreviewView }
  | { type: 'publishTried' }
  | { type: 'published'; version: PolicyBase }
  | { type: 'refused'; error: AppError };

export const toDraft = (policy: PolicyBase['policy']): Draft => JSON.parse(JSON.stringify(policy)) as Draft;
const asRecord = (policy: PolicyBase['policy']) => policy as unknown as Record<string, unknown>;
const baseOf = (v: PolicyBase): PolicyBase => ({ version: v.version, policy: v.policy });

export function initialEditorState(current: PolicyBase): EditorState {
  return {
    draft: toDraft(current.policy),
    base: baseOf(current),
    lastN: 200,
    preview: null,
    note: '',
    noteTried: false,
    serverError: null,
  };
}

/** Nothing edited against the version the draft started from. */
export const untouched = (s: EditorState): boolean => policyChanges(toDraft(s.base.policy), s.draft).length === 0;

export function editorReducer(s: EditorState, a: EditorAction): EditorState {
  switch (a.type) {
    case 'edit': {
      const draft: Draft = a.field.startsWith('partialRates.')
        ? { ...s.draft, partialRates: { ...s.draft.partialRates, [a.field.slice('partialRates.'.length)]: a.value as number | '' } }
        : { ...s.draft, [a.field]: a.value };
      return { ...s, draft, serverError: null };
    }
    case 'reset':
      return { ...s, draft: toDraft(a.current.policy), serverError: null };
    case 'newerPublished':
      if (a.current.version <= s.base.version || !untouched(s)) return s;
      return { ...s, draft: toDraft(a.current.policy), base: baseOf(a.current) };
    case 'discard':
      return { ...s, draft: toDraft(a.current.policy), base: baseOf(a.current), preview: null, serverError: null };
    case 'rebase':
      return {
        ...s,
        draft: rebaseDraft(asRecord(s.base.policy), s.draft, asRecord(a.current.policy)),
        base: baseOf(a.current),
        preview: null,
        serverError: null,
      };
    case 'lastN':
      return { ...s, lastN: a.lastN };
    case 'note':
      return { ...s, note: a.note };
    case 'previewed':
      return { ...s, preview: { key: a.key, view: a.view }, serverError: null };
    case 'publishTried':
      return { ...s, noteTried: true };
    case 'published':
      return {
        ...s,
        base: baseOf(a.version),
        draft: toDraft(a.version.policy),
        note: '',
        noteTried: false,
        preview: null,
        serverError: null,
      };
    case 'refused':
      return { ...s, serverError: a.error };
  }
}

/** Names the exact draft a preview is made for: the fields, the version it started from, N. */
export const previewKey = (s: EditorState): string => `${JSON.stringify(s.draft)}|${s.base.version}|${s.lastN}`;

/** The preview shown is of this exact draft, made on the version now in force. */
export const previewIsFresh = (s: EditorState, currentVersion: number): boolean =>
  s.preview !== null && s.preview.key === previewKey(s) && s.preview.view.basedOnVersion === currentVersion;
