import { z } from 'zod';
import { Sha256 } from './primitives';

/** Evidence files (issue 5): methods spread into the one method table in methods.ts. */
export const evidenceMethods = {
  /** Re-reads the stored bytes and compares their sha256 with the recorded one ("evidence intact"). */
  'evidence.verify': { input: z.object({ sha256: Sha256 }).strict(), who: ['mediator', 'supervisor', 'analyst'] },
} as const;

/** A stored file, as the case screen and the evidence review screen see it. */
export interface EvidenceFileView {
  sha256: string;
  /** From the bytes (magic), never from the name. */
  mediaType: string;
  kind: 'image' | 'video';
  sizeBytes: number;
  /** The bytes are in the store (false: only the description arrived, e.g. a replayed scenario). */
  stored: boolean;
  width: number | null;
  height: number | null;
  /** EXIF of the original: capture time (ISO, UTC when the offset is known) and device. */
  capturedAt: string | null;
  device: string | null;
  /** 64-bit perceptual hash, 16 hex digits (images only). */
  phash: string | null;
  /** Derived copies the carrier can serve: 'display' (orientation applied, metadata stripped) and 'thumb'. */
  variants: Array<'display' | 'thumb'>;
}

export interface EvidenceReuseMatch {
  caseId: string;
  accountId: string;
  party: string;
  sha256: string;
  /** Differing bits of the perceptual hashes after the best flip/rotation (0: identical picture). */
  distance: number;
  /** 'identical' (same bytes), or the transform that matched: 'same', 'flip_h', 'rot90', ... */
  transform: string;
  sameAccount: boolean;
  submittedAt: string;
}

export interface EvidenceWarning {
  code: 'captured_before_delivery' | 'captured_before_order' | 'reused_other_account' | 'reused_other_case' | 'no_capture_time';
  text: string;
}

export interface EvidenceVerifyView {
  sha256: string;
  intact: boolean;
  sizeBytes: number;
  checkedAt: string;
  message: string;
}
