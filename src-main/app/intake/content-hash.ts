import { hash } from 'node:crypto';
import type { z } from 'zod';
import type { Dispute } from '../../contract/dispute';

/** A stable fingerprint of a dispute's content: key order and whitespace do not matter. */
export function contentHash(d: Dispute): string {
  return hashOfCanonical(canonicalJson(d));
}

/** contentHash of a dispute from its canonical text (canonicalJson). */
export function hashOfCanonical(text: string): string {
  // The one-shot form: no Hash object per dispute (the same digest as createHash's).
  return hash('sha256', text, 'hex');
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

/**
 * canonicalJson for the output of one zod schema, or null when the schema's output could hold
 * anything but strict objects, arrays, strings, numbers, booleans and null. For such a schema
 * the output's shape is known ahead: each object has only its shape's keys (a strict or strip
 * object keeps no other), so a copy that takes those keys in sorted order, one known function
 * per field, replaces the generic sortedCopy's Object.keys, sort and type tests per object
 * (most of a check worker's hashing time). Undefined members are left for JSON.stringify to
 * omit, as the canonical text does. Made once per schema; tests/unit/content-hash.test.ts
 * compares it with the reference on generated and hostile values.
 */
export function canonicalJsonFor(schema: z.ZodType): ((v: unknown) => string) | null {
  const copy = sortedCopier(schema);
  return copy && ((v) => JSON.stringify(copy(v)));
}

type Copier = (v: unknown) => unknown;
const same: Copier = (v) => v;

/** The copier of a schema's output with every object's keys in sorted order; null for a schema it cannot vouch for. */
function sortedCopier(schema: z.ZodType): Copier | null {
  const def = (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
  switch (def.type) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'enum':
    case 'literal':
    case 'null':
      return same; // JSON.stringify renders them as the reference does (a zod number is finite)
    case 'optional':
    case 'nullable': {
      const inner = sortedCopier(def.innerType!);
      const none = def.type === 'optional' ? undefined : null;
      return inner && (inner === same ? same : (v) => (v === none || v === undefined ? v : inner(v)));
    }
    case 'default':
      return sortedCopier(def.innerType!); // the output is the inner type's
    case 'array': {
      const item = sortedCopier(def.element!);
      // An item that may be undefined renders differently in the reference: not vouched for.
      if (!item || ['optional', 'undefined'].includes(typeOf(def.element!))) return null;
      return item === same ? same : (v) => (v as unknown[]).map(item);
    }
    case 'object': {
      // Another key kept (a catchall, a loose object) would be unknown here.
      if (def.catchall && typeOf(def.catchall) !== 'never') return null;
      const keys = Object.keys(def.shape!).sort();
      // Integer-like keys come first in an object whatever the insertion order.
      // A key Object.prototype has would be read from it where the output lacks the member.
      if (keys.some((k) => /^[0-9]/.test(k) || k in Object.prototype)) return null;
      const fields = keys.map((k) => sortedCopier(def.shape![k]!));
      if (fields.some((f) => !f)) return null;
      // An object literal of a fixed shape, its keys in sorted order: V8 builds it in one step,
      // where members added one by one in a loop cost a shape transition each.
      const members = keys.map((k, i) => {
        const at = `o[${JSON.stringify(k)}]`;
        return `${JSON.stringify(k)}: ${fields[i] === same ? at : `f[${i}](${at})`}`;
      });
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from the schema's own keys, each quoted by JSON.stringify
      const build = new Function('f', `return (o) => ({ ${members.join(', ')} });`) as (f: Copier[]) => Copier;
      return build(fields.map((f) => f!));
    }
    default:
      return null; // a pipe or transform, a record, a union, unknown…: the generic path
  }
}

interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
}
const typeOf = (s: z.ZodType) => (s as unknown as { _zod: { def: SchemaDef } })._zod.def.type;

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
