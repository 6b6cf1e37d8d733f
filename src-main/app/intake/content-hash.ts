import { createHash } from 'node:crypto';
import type { Dispute } from '../../contract/dispute';

/** A stable fingerprint of a dispute's content: key order and whitespace do not matter. */
export function contentHash(d: Dispute): string {
  return hashOfCanonical(canonicalJson(d));
}

/** contentHash of a dispute from its canonical text (canonicalJson). */
export function hashOfCanonical(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The canonical text: JSON with every object's keys in sorted order and undefined members
 * left out. Fast path: a copy of the value with its keys inserted in sorted order, written by
 * the native JSON.stringify (a million-dispute import hashes every record). Whatever the copy
 * could render differently from `canonicalJsonReference` (integer-like or `__proto__` keys,
 * functions, symbols, undefined or missing array items, objects other than plain ones) takes
 * the reference path, so stored hashes never change.
 */
export function canonicalJson(v: unknown): string {
  const copy = sortedCopy(v);
  return copy === UNUSUAL ? canonicalJsonReference(v) : JSON.stringify(copy);
}

const UNUSUAL = Symbol('unusual');
function sortedCopy(v: unknown): unknown {
  if (v === null) return v;
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return v;
    case 'object':
      break;
    default:
      return UNUSUAL;
  }
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return UNUSUAL;
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) return UNUSUAL;
      const c = sortedCopy(v[i]);
      if (c === UNUSUAL || c === undefined) return UNUSUAL;
      out[i] = c;
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return UNUSUAL;
  const keys = Object.keys(v).sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const c0 = k.charCodeAt(0);
    if ((c0 >= 48 && c0 <= 57) || k === '__proto__') return UNUSUAL;
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined) continue;
    const c = sortedCopy(x);
    if (c === UNUSUAL) return UNUSUAL;
    out[k] = c;
  }
  return out;
}

/** The definition of the canonical text (the hashes already stored were made with it). */
function canonicalJsonReference(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJsonReference).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJsonReference((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}
