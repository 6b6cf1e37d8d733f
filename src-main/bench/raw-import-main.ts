/** Child-process entry of the raw baseline importer: `raw-import-main.ts <file.ndjson> <db path> <now>`; prints its result as JSON. */
import { rawImport } from './raw-import';

const [file, path, now] = process.argv.slice(2);
if (!file || !path || !now) {
  process.stderr.write('usage: raw-import-main.ts <file.ndjson> <db path> <now ms>\n');
  process.exit(2);
}
rawImport(path, file, { now: Number(now) }).then(
  (r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  },
  (e) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
