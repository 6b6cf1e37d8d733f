/**
 * Runs another entry point (`rss-wrapper.ts <entry.ts> args…`) and reports its peak resident
 * set size on stderr when it exits, for machines without GNU time. The entry sees the
 * argv it would have seen if started directly.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(`\nBENCH_MAXRSS_KB=${u.maxRSS}\nBENCH_CPU_US=${u.userCPUTime + u.systemCPUTime}\n`);
});
const entry = process.argv[2];
if (!entry) throw new Error('usage: rss-wrapper.ts <entry.ts> [args…]');
process.argv.splice(1, 1);
await import(pathToFileURL(resolve(entry)).href);
