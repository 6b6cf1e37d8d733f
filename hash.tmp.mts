import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Dispute } from '/work/main/src-main/contract/dispute';
const ds = readFileSync('/tmp/bench-dev/d20k.ndjson', 'utf8').split('\n').filter(Boolean).map(l => Dispute.parse(JSON.parse(l)));
function oldC(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(oldC).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v).filter((k) => (v as any)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${oldC((v as any)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}
function newC(v: unknown): string {
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) { if (i) s += ','; const c = newC(v[i]); if (c !== undefined) s += c; }
    return s + ']';
  }
  const keys = Object.keys(v).sort();
  let s = '{'; let first = true;
  for (const k of keys) { const x = (v as any)[k]; if (x === undefined) continue; s += (first ? '' : ',') + JSON.stringify(k) + ':' + newC(x); first = false; }
  return s + '}';
}
function newC2(v: unknown): string {
  switch (typeof v) { case 'string': return JSON.stringify(v); case 'number': case 'boolean': return JSON.stringify(v); }
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) { if (i) s += ','; const c = newC2(v[i]); if (c !== undefined) s += c; }
    return s + ']';
  }
  const keys = Object.keys(v); keys.sort();
  let s = '{'; let first = true;
  for (let j = 0; j < keys.length; j++) { const k = keys[j]!; const x = (v as any)[k]; if (x === undefined) continue; if (!first) s += ','; s += JSON.stringify(k); s += ':'; s += newC2(x); first = false; }
  return s + '}';
}
for (const d of ds.slice(0, 2000)) if (oldC(d) !== newC(d) || oldC(d) !== newC2(d)) throw new Error('differ');
for (const [name, f] of [['old', oldC], ['new', newC], ['new2', newC2], ['old', oldC], ['new', newC], ['new2', newC2]] as const) {
  const s = performance.now(); let n = 0; for (const d of ds) n += f(d).length; console.log(name, ((performance.now() - s) / ds.length * 1000).toFixed(1), 'us/case');
}
let s = performance.now(); for (const d of ds) createHash('sha256').update(newC(d)).digest('hex'); console.log('hash+new', ((performance.now() - s) / ds.length * 1000).toFixed(1));
s = performance.now(); for (const d of ds) JSON.stringify(d); console.log('stringify', ((performance.now() - s) / ds.length * 1000).toFixed(1));
const lines = readFileSync('/tmp/bench-dev/d20k.ndjson', 'utf8').split('\n').filter(Boolean);
s = performance.now(); const raws = lines.map(l => JSON.parse(l)); console.log('JSON.parse', ((performance.now() - s) / ds.length * 1000).toFixed(1));
s = performance.now(); for (const r of raws) Dispute.safeParse(r); console.log('zod', ((performance.now() - s) / ds.length * 1000).toFixed(1));
s = performance.now(); for (const r of raws) Dispute.safeParse(r); console.log('zod', ((performance.now() - s) / ds.length * 1000).toFixed(1));
const ODD = Symbol();
function sortedCopy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) { const t = typeof v; return t === 'function' || t === 'symbol' || t === 'undefined' ? ODD : v; }
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) { const c = sortedCopy(v[i]); if (c === ODD || c === undefined) return ODD; out[i] = c; }
    return out;
  }
  const keys = Object.keys(v); keys.sort();
  const out: Record<string, unknown> = {};
  for (let j = 0; j < keys.length; j++) {
    const k = keys[j]!; const c0 = k.charCodeAt(0);
    if ((c0 >= 48 && c0 <= 57) || k === '__proto__') return ODD;
    const x = (v as any)[k]; if (x === undefined) continue;
    const c = sortedCopy(x); if (c === ODD) return ODD; out[k] = c;
  }
  return out;
}
function fastC(v: unknown): string { const c = sortedCopy(v); return c === ODD ? oldC(v) : JSON.stringify(c); }
for (const d of ds) if (oldC(d) !== fastC(d)) throw new Error('differ fast');
for (let r = 0; r < 2; r++) { const s = performance.now(); for (const d of ds) fastC(d); console.log('fast', ((performance.now() - s) / ds.length * 1000).toFixed(1)); }
