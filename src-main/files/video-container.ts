import { AppFailure } from '../contract/errors';
import type { BlobStore } from './blob-store';
import type { SniffedType } from './sniff';

/**
 * A video's container walked from its first byte to its last, before it is accepted. Videos
 * are stored and served as they are (nothing here decodes a frame), so this is the check that
 * a file is one a player can open: a truncated MP4, an MOV whose boxes lie about their sizes, a
 * WebM cut in the middle of a cluster are refused with UNSUPPORTED_FILE and a sentence.
 *
 * - MP4 / MOV (ISO base media, QuickTime): top-level boxes by size and type (64-bit sizes,
 *   size 0 = "to the end of the file"), none may run past the end; `ftyp` only first; an old
 *   QuickTime file may start without it. One `moov` (read whole, bounded) whose boxes nest
 *   exactly: `mvhd`, tracks with `tkhd`/`mdia`/`hdlr`/`minf`/`stbl`, at least one video track,
 *   chunk offsets inside the file; and an `mdat` (the media data).
 * - WebM (EBML): the EBML header with DocType webm, then the Segment (unknown size = to the end)
 *   whose elements must each fit inside it; `Info`, `Tracks` with a video track, and at least
 *   one Cluster holding a block. Clusters of unknown size (live recordings) end at the next
 *   top-level element. Such a recording cut exactly between two blocks cannot be told from
 *   one that stopped there; a cut anywhere else is refused.
 *
 * Streaming: the walk reads headers through `RandomAccess` (a file handle or the blob store's
 * ranges) in windows of at most WINDOW bytes and skips over media data, so a 100 MB video is
 * checked without being loaded; only `moov` and `Tracks` are read whole (bounded).
 */

/** Bytes by position: `read` returns `length` bytes, fewer only at the end of the file. */
export interface RandomAccess {
  readonly size: number;
  read(at: number, length: number): Promise<Uint8Array>;
}

const WINDOW = 256 * 1024;
/** A movie header is a few KB per minute of video; 32 MB is hours of it. */
const MAX_MOOV_BYTES = 32 * 1024 * 1024;
const MAX_TRACKS_BYTES = 1024 * 1024;
const MAX_DEPTH = 12;

/** Buffered reads over a RandomAccess: most headers are served from the current window. */
class Windowed {
  private start = 0;
  private buf: Uint8Array = new Uint8Array(0);
  constructor(readonly src: RandomAccess) {}
  get size(): number {
    return this.src.size;
  }
  async bytes(at: number, length: number): Promise<Uint8Array> {
    const want = Math.max(0, Math.min(length, this.size - at));
    if (at >= this.start && at + want <= this.start + this.buf.length) return this.buf.subarray(at - this.start, at - this.start + want);
    if (want > WINDOW) return this.src.read(at, want);
    this.buf = await this.src.read(at, Math.min(WINDOW, this.size - at));
    this.start = at;
    return this.buf.subarray(0, want);
  }
}

class Refusal {
  constructor(readonly name: string) {}
  private fail(why: string): never {
    throw new AppFailure(
      'UNSUPPORTED_FILE',
      `This ${this.name} video cannot be accepted: ${why} Please ask for the original video to be sent again.`,
    );
  }
  incomplete(where: string): never {
    return this.fail(`the file is incomplete (it ends in the middle of ${where}).`);
  }
  damaged(what: string): never {
    return this.fail(`the file is damaged (${what}).`);
  }
  missing(what: string): never {
    return this.fail(what);
  }
}

export async function checkVideoContainer(src: RandomAccess, sniffed: SniffedType): Promise<void> {
  const name = sniffed.ext === 'mov' ? 'MOV' : sniffed.ext === 'mp4' ? 'MP4' : 'WebM';
  const refuse = new Refusal(name);
  if (sniffed.kind !== 'video') refuse.damaged('it is not a video');
  const r = new Windowed(src);
  if (sniffed.ext === 'webm') await walkWebm(r, refuse);
  else await walkIsoBmff(r, refuse);
}

// ---------------------------------------------------------------------------------------------
// ISO base media (MP4) and QuickTime (MOV)

const be32 = (b: Uint8Array, at: number): number => b[at]! * 2 ** 24 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
const be64 = (b: Uint8Array, at: number): number => be32(b, at) * 2 ** 32 + be32(b, at + 4);
const fourcc = (b: Uint8Array, at: number): string => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
const PRINTABLE_TYPE = /^[\x20-\x7e]{4}$/;

interface Box {
  type: string;
  at: number;
  headerSize: number;
  size: number;
}

/** The box at `at` within [at, end): its header checked, its size resolved; refuses what does not fit. */
function boxAt(h: Uint8Array, at: number, end: number, refuse: Refusal, fileEnd: boolean, where: string): Box {
  if (end - at < 8) return fileEnd ? refuse.incomplete(where) : refuse.damaged(`${where} has bytes left over that are not a box`);
  const size32 = be32(h, at);
  const type = fourcc(h, at + 4);
  if (!PRINTABLE_TYPE.test(type)) refuse.damaged(`${where} has a box without a readable type`);
  let size = size32;
  let headerSize = 8;
  if (size32 === 1) {
    if (end - at < 16) return fileEnd ? refuse.incomplete(where) : refuse.damaged(`a ${printable(type)} box is cut short`);
    size = be64(h, at + 8);
    headerSize = 16;
    if (size < 16) refuse.damaged(`its ${printable(type)} box has an impossible size`);
  } else if (size32 === 0) {
    size = end - at; // to the end of what contains it
  } else if (size32 < 8) {
    refuse.damaged(`its ${printable(type)} box has an impossible size`);
  }
  if (at + size > end)
    return fileEnd
      ? refuse.incomplete(`its ${printable(type)} box`)
      : refuse.damaged(`a ${printable(type)} box runs past the box around it`);
  return { type, at, headerSize, size };
}
const printable = (type: string): string => type.replace(/[^\x21-\x7e]/g, '').replace(/^$/, '?');

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'dinf', 'mvex']);

async function walkIsoBmff(r: Windowed, refuse: Refusal): Promise<void> {
  let at = 0;
  let moov: Uint8Array | null = null;
  let sawMdat = false;
  while (at < r.size) {
    const head = await r.bytes(at, 16);
    const box = boxAt(head, 0, r.size - at, refuse, true, 'a box header');
    if (box.type === 'ftyp' && at !== 0) refuse.damaged('its file type box is not at the start');
    if (box.type === 'moov') {
      if (moov) refuse.damaged('it has two movie headers');
      if (box.size > MAX_MOOV_BYTES) refuse.damaged('its movie header is impossibly large');
      moov = await r.bytes(at, box.size);
    }
    if (box.type === 'mdat') sawMdat = true;
    at += box.size;
  }
  if (!moov) refuse.missing('it has no movie header (moov box), so no player can open it; the file is probably incomplete.');
  if (!sawMdat) refuse.missing('it contains no video data (no mdat box).');
  checkMoov(moov, r.size, refuse);
}

interface Tree {
  type: string;
  /** Payload offsets within the moov buffer. */
  from: number;
  to: number;
  children: Tree[];
}

function parseTree(h: Uint8Array, from: number, to: number, depth: number, refuse: Refusal): Tree[] {
  const out: Tree[] = [];
  let at = from;
  while (at < to) {
    // QuickTime may close a list of atoms with a 32-bit zero.
    if (to - at < 8 && h.subarray(at, to).every((b) => b === 0)) break;
    const box = boxAt(h, at, to, refuse, false, 'the movie header');
    const node: Tree = { type: box.type, from: at + box.headerSize, to: at + box.size, children: [] };
    if (CONTAINERS.has(box.type)) {
      if (depth >= MAX_DEPTH) refuse.damaged('its movie header nests too deeply');
      node.children = parseTree(h, node.from, node.to, depth + 1, refuse);
    }
    out.push(node);
    at += box.size;
  }
  return out;
}

const child = (t: Tree, type: string): Tree | undefined => t.children.find((c) => c.type === type);

function checkMoov(moov: Uint8Array, fileSize: number, refuse: Refusal): void {
  const [root] = parseTree(moov, 0, moov.length, 0, refuse);
  if (!root || !child(root, 'mvhd')) refuse.damaged('its movie header has no movie description');
  const tracks = root.children.filter((c) => c.type === 'trak');
  if (!tracks.length) refuse.missing('it has no tracks, so there is nothing to play.');
  let video = false;
  for (const trak of tracks) {
    const mdia = child(trak, 'mdia');
    const hdlr = mdia && child(mdia, 'hdlr');
    const stbl = mdia && child(mdia, 'minf') && child(child(mdia, 'minf')!, 'stbl');
    if (!child(trak, 'tkhd') || !mdia || !child(mdia, 'mdhd') || !hdlr || !stbl || hdlr.to - hdlr.from < 12)
      refuse.damaged('a track is missing part of its description');
    // hdlr: version/flags, pre-defined (QuickTime: component type), then the handler type.
    if (fourcc(moov, hdlr.from + 8) === 'vide') video = true;
    for (const need of ['stsd', 'stts', 'stsc']) if (!child(stbl, need)) refuse.damaged('a track is missing its sample table');
    if (!child(stbl, 'stsz') && !child(stbl, 'stz2')) refuse.damaged('a track is missing its sample table');
    const stco = child(stbl, 'stco') ?? child(stbl, 'co64');
    if (!stco) refuse.damaged('a track is missing its sample table');
    checkChunks(moov, stbl, stco, fileSize, refuse);
  }
  if (!video) refuse.missing('it has no video track (it may be sound only).');
}

/**
 * Every chunk of media must lie inside the file: its offset (stco/co64) plus the sizes of its
 * samples (stsc says how many, stsz how big). A file cut inside its media data fails here even
 * when its last box says "to the end of the file" (size 0).
 */
function checkChunks(moov: Uint8Array, stbl: Tree, stco: Tree, fileSize: number, refuse: Refusal): void {
  const wide = stco.type === 'co64';
  const width = wide ? 8 : 4;
  const table = (t: Tree, entry: number, skip = 0): number => {
    if (t.to - t.from < 8 + skip) refuse.damaged('a sample table is cut short');
    const count = be32(moov, t.from + 4 + skip);
    if (t.from + 8 + skip + count * entry > t.to) refuse.damaged('a sample table is cut short');
    return count;
  };
  const chunks = table(stco, width);
  const stsc = child(stbl, 'stsc')!;
  const runs = table(stsc, 12);
  const stsz = child(stbl, 'stsz');
  const fixedSize = stsz ? (table(stsz, 0, 4), be32(moov, stsz.from + 4)) : 0;
  const samples = stsz ? table(stsz, fixedSize ? 0 : 4, 4) : 0;
  let sample = 0;
  let run = 0;
  for (let c = 1; c <= chunks; c++) {
    const offset = wide ? be64(moov, stco.from + 8 + (c - 1) * 8) : be32(moov, stco.from + 8 + (c - 1) * 4);
    while (run + 1 < runs && be32(moov, stsc.from + 8 + (run + 1) * 12) <= c) run++;
    const perChunk = runs ? be32(moov, stsc.from + 8 + run * 12 + 4) : 0;
    let bytes = 0;
    // Sizes are known with stsz (stz2, the compact form, is rare: its chunks are checked by offset only).
    for (let k = 0; stsz && k < perChunk && sample < samples; k++, sample++) bytes += fixedSize || be32(moov, stsz.from + 12 + sample * 4);
    if (offset + bytes > fileSize || offset >= fileSize) refuse.incomplete('its media data');
  }
}

// ---------------------------------------------------------------------------------------------
// WebM (EBML / Matroska)

const EBML_HEADER = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const CLUSTER = 0x1f43b675;
const INFO = 0x1549a966;
const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const TRACK_TYPE = 0x83;
const TRACK_VIDEO = 0xe0;
const TRACK_AUDIO = 0xe1;
const DOC_TYPE = 0x4282;
const SIMPLE_BLOCK = 0xa3;
const BLOCK_GROUP = 0xa0;
const VOID = 0xec;
const CRC32 = 0xbf;
/** The Segment's children: where an unknown-size Cluster ends. */
const LEVEL_1 = new Set([0x114d9b74, INFO, TRACKS, CLUSTER, 0x1c53bb6b, 0x1043a770, 0x1254c367, 0x1941a469]);

interface Element {
  id: number;
  at: number;
  dataAt: number;
  /** null: unknown size (all value bits set). */
  size: number | null;
}

/** An element header in `h` at `at` (the id keeps its marker bits); null when `h` ends first. */
function elementHeader(h: Uint8Array, at: number, refuse: Refusal): { id: number; headerSize: number; size: number | null } | null {
  const first = h[at];
  if (first === undefined) return null;
  const idLen = first >= 0x80 ? 1 : first >= 0x40 ? 2 : first >= 0x20 ? 3 : first >= 0x10 ? 4 : 0;
  if (!idLen) refuse.damaged('an element has an impossible identifier');
  if (at + idLen >= h.length) return null;
  let id = 0;
  for (let i = 0; i < idLen; i++) id = id * 256 + h[at + i]!;
  const s0 = h[at + idLen]!;
  if (s0 === 0) refuse.damaged('an element has an impossible size');
  let sizeLen = 1;
  while (!(s0 & (0x80 >> (sizeLen - 1)))) sizeLen++;
  if (at + idLen + sizeLen > h.length) return null;
  let value = s0 & (0xff >> sizeLen);
  let allOnes = value === 0xff >> sizeLen;
  for (let i = 1; i < sizeLen; i++) {
    const b = h[at + idLen + i]!;
    allOnes &&= b === 0xff;
    value = value * 256 + b;
  }
  if (!allOnes && value > Number.MAX_SAFE_INTEGER) refuse.damaged('an element has an impossible size');
  return { id, headerSize: idLen + sizeLen, size: allOnes ? null : value };
}

async function readElement(r: Windowed, at: number, end: number, refuse: Refusal, where: string): Promise<Element> {
  const h = await r.bytes(at, Math.min(12, end - at));
  const e = elementHeader(h, 0, refuse);
  if (!e) return r.size <= end ? refuse.incomplete(where) : refuse.damaged(`${where} is cut short`);
  const dataAt = at + e.headerSize;
  if (e.size !== null && dataAt + e.size > end)
    return end >= r.size ? refuse.incomplete(where) : refuse.damaged(`${where} runs past the element around it`);
  return { id: e.id, at, dataAt, size: e.size };
}

async function walkWebm(r: Windowed, refuse: Refusal): Promise<void> {
  const header = await readElement(r, 0, r.size, refuse, 'its header');
  if (header.id !== EBML_HEADER || header.size === null || header.size > 4096) return refuse.damaged('its header is not a WebM header');
  const docType = childrenOf(await r.bytes(header.dataAt, header.size), refuse).find((c) => c.id === DOC_TYPE);
  if (!docType || !/^webm\0*$/.test(docType.text)) refuse.damaged('its header does not say WebM');

  let at = header.dataAt + header.size;
  let segments = 0;
  while (at < r.size) {
    const e = await readElement(r, at, r.size, refuse, 'its top-level structure');
    if (e.id === SEGMENT) {
      segments++;
      await walkSegment(r, e.dataAt, e.size === null ? r.size : e.dataAt + e.size, refuse);
    } else if (e.id !== VOID && e.id !== CRC32) {
      refuse.damaged('an unexpected element follows its header');
    } else if (e.size === null) {
      refuse.damaged('an element has an impossible size');
    }
    at = e.size === null ? r.size : e.dataAt + e.size;
  }
  if (!segments) refuse.missing('it contains no video, only a file header.');
}

/** The direct children of a small master element held in memory (the EBML header, Tracks). */
function childrenOf(h: Uint8Array, refuse: Refusal): Array<{ id: number; data: Uint8Array; text: string }> {
  const out = [];
  for (let at = 0; at < h.length;) {
    const e = elementHeader(h, at, refuse);
    if (!e || e.size === null || at + e.headerSize + e.size > h.length) return refuse.damaged('an element inside its header is cut short');
    const data = h.subarray(at + e.headerSize, at + e.headerSize + e.size);
    out.push({ id: e.id, data, text: e.size <= 64 ? String.fromCharCode(...data) : '' });
    at += e.headerSize + e.size;
  }
  return out;
}

async function walkSegment(r: Windowed, from: number, end: number, refuse: Refusal): Promise<void> {
  let sawInfo = false;
  let video = false;
  let blocks = 0;
  let clusters = 0;
  let at = from;
  while (at < end) {
    const e = await readElement(r, at, end, refuse, 'its segment');
    if (e.size === null && e.id !== CLUSTER) refuse.damaged('an element of unknown size is not a cluster');
    if (e.id === INFO) {
      if (e.size! > MAX_TRACKS_BYTES) refuse.damaged('its information element is impossibly large');
      childrenOf(await r.bytes(e.dataAt, e.size!), refuse);
      sawInfo = true;
    }
    if (e.id === TRACKS) {
      if (e.size! > MAX_TRACKS_BYTES) refuse.damaged('its track list is impossibly large');
      video ||= hasVideoTrack(await r.bytes(e.dataAt, e.size!), refuse);
    }
    if (e.id === CLUSTER) {
      clusters++;
      const walked = await walkCluster(r, e.dataAt, e.size === null ? null : e.dataAt + e.size, end, refuse);
      blocks += walked.blocks;
      at = walked.end;
      continue;
    }
    at = e.dataAt + e.size!;
  }
  if (!sawInfo) refuse.damaged('its segment has no information element');
  if (!video) refuse.missing('it has no video track (it may be sound only).');
  if (!clusters || !blocks) refuse.missing('it contains no video data (no clusters of frames).');
}

function hasVideoTrack(tracks: Uint8Array, refuse: Refusal): boolean {
  let video = false;
  for (const entry of childrenOf(tracks, refuse)) {
    if (entry.id !== TRACK_ENTRY) continue;
    for (const field of childrenOf(entry.data, refuse)) {
      if (field.id === TRACK_TYPE && field.data.length === 1 && field.data[0] === 1) video = true;
      if (field.id === TRACK_VIDEO || field.id === TRACK_AUDIO) childrenOf(field.data, refuse);
    }
  }
  return video;
}

/** Walks a cluster's blocks; a cluster of unknown size ends at the next top-level element or the segment's end. */
async function walkCluster(
  r: Windowed,
  from: number,
  end: number | null,
  segmentEnd: number,
  refuse: Refusal,
): Promise<{ blocks: number; end: number }> {
  let blocks = 0;
  let at = from;
  const limit = end ?? segmentEnd;
  while (at < limit) {
    if (end === null) {
      const peek = await r.bytes(at, 12);
      const next = elementHeader(peek, 0, refuse);
      if (next && (LEVEL_1.has(next.id) || next.id === EBML_HEADER)) break;
    }
    const e = await readElement(r, at, limit, refuse, 'a cluster of frames');
    if (e.size === null) refuse.damaged('an element inside a cluster has no size');
    if (e.id === SIMPLE_BLOCK || e.id === BLOCK_GROUP) blocks++;
    at = e.dataAt + e.size;
  }
  return { blocks, end: end ?? at };
}

// ---------------------------------------------------------------------------------------------
// Sources

/** A RandomAccess over a file on disk (one handle; close it). */
export async function fileAccess(path: string): Promise<RandomAccess & { close(): Promise<void> }> {
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(at, length) {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - at)));
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await handle.read(buf, got, buf.length - got, at + got);
        if (!bytesRead) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    },
    close: () => handle.close(),
  };
}

/** A RandomAccess over an original in the blob store (folder or database), by byte ranges. */
export async function blobAccess(store: BlobStore, sha256: string): Promise<RandomAccess> {
  const size = await store.sizeOf(sha256, 'original');
  if (size === null) throw new Error(`evidence ${sha256} vanished from the store right after it was written`);
  return {
    size,
    async read(at, length) {
      const want = Math.min(length, size - at);
      if (want <= 0) return new Uint8Array(0);
      const parts: Uint8Array[] = [];
      for await (const c of store.read(sha256, 'original', { start: at, end: at + want - 1 })) parts.push(c);
      return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    },
  };
}
