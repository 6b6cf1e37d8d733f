import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * This installation's sign-in source, `desktop:<id>`: a random id kept in the profile folder,
 * so sign-in failures are counted per desktop (a stranger elsewhere cannot lock this one out).
 */
export function installationSource(userDataDir: string): string {
  const file = join(userDataDir, 'installation-id');
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f-]{36}$/.test(id)) return `desktop:${id}`;
  } catch {
    // first start: write one below
  }
  const id = randomUUID();
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return `desktop:${id}`;
}
