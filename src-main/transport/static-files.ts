import { stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

/**
 * Maps a request path to a file of the built renderer, for both the HTTP carrier and the
 * Electron app:// protocol, so both refuse traversal the same way.
 */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

export const contentTypeFor = (file: string): string => CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';

export interface StaticFile {
  file: string;
  size: number;
  /** Vite's hashed output under assets/ never changes under the same name. */
  immutable: boolean;
}

/**
 * `rawPath` is the still-encoded URL path. Returns null for anything outside `root`
 * (`..` in any spelling: raw, %2e%2e, ..%2f), for undecodable paths, and for missing
 * files with an extension. Extension-less paths are SPA routes and get index.html.
 */
export async function resolveStaticFile(root: string, rawPath: string): Promise<StaticFile | null> {
  const base = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' || decoded === '' ? '/index.html' : decoded;
  const candidate = resolve(base, '.' + (relative.startsWith('/') ? relative : '/' + relative));
  if (!candidate.startsWith(base + sep)) return null;

  const found = await fileSize(candidate);
  if (found !== null) return { file: candidate, size: found, immutable: candidate.startsWith(resolve(base, 'assets') + sep) };
  if (extname(relative) !== '') return null;
  const index = resolve(base, 'index.html');
  const indexSize = await fileSize(index);
  return indexSize === null ? null : { file: index, size: indexSize, immutable: false };
}

async function fileSize(file: string): Promise<number | null> {
  const info = await stat(file).catch(() => null);
  return info?.isFile() ? info.size : null;
}
