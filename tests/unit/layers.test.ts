import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The layer rule in eslint.config.js bites: forbidden imports are errors with a message that
 * says why, allowed ones pass. Only the import rules run, without type information, so this
 * takes a second or two, not a full lint.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const LAYER_RULES = new Set(['import-x/no-restricted-paths', '@typescript-eslint/no-restricted-imports', 'import-x/no-unresolved']);

const eslint = new ESLint({
  cwd: root,
  // No type information: the import rules do not need it, and the virtual files below are in no tsconfig.
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  ruleFilter: ({ ruleId }) => LAYER_RULES.has(ruleId),
});

async function lint(filePath: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath, warnIgnored: true });
  return result!.messages.map((m) => ({ rule: m.ruleId, message: m.message }));
}

describe('the import-layer rule', () => {
  it.each([
    ['src-main/contract/x.ts', "import { readFileSync } from 'node:fs';", 'no-restricted-imports', 'contract may import only zod'],
    ['src-main/contract/x.ts', "import { openDatabase } from '../db/connect';", 'no-restricted-paths', 'contract/ is the pure API'],
    ['src-main/contract/x.ts', "import { app } from 'electron';", 'no-restricted-imports', 'contract may import only zod'],
    ['src-main/engine/x.ts', "import { analyzeImage } from '../files/analyze';", 'no-restricted-paths', 'engine/ is pure functions'],
    ['src-main/engine/risk/x.ts', "import { createHash } from 'node:crypto';", 'no-restricted-imports', 'engine may import only'],
    [
      'src-renderer/src/features/x.ts',
      "import { openDatabase } from '../../../src-main/db/connect';",
      'no-restricted-paths',
      'imports only src-main/contract',
    ],
    ['src-renderer/src/x.ts', "import { readFile } from 'node:fs/promises';", 'no-restricted-imports', 'no node: modules'],
    [
      'src-main/app/x.ts',
      "import { startHttpServer } from '../transport/http';",
      'no-restricted-paths',
      'app/ is the carrier-agnostic core',
    ],
    [
      'src-main/app/case/x.ts',
      "import { DEMO_USERS } from '../../demo/demo-data';",
      'no-restricted-paths',
      'app/ is the carrier-agnostic core',
    ],
    ['src-main/files/x.ts', "import { RISK_MODEL } from '../engine/risk/model';", 'no-restricted-paths', 'files/ inspects and stores'],
    ['src-main/db/x.ts', "import { dispatch } from '../app/dispatch';", 'no-restricted-paths', 'db/ is the storage layer'],
    ['src-main/db/repos/x.ts', "import { sniff } from '../../files/sniff';", 'no-restricted-paths', 'db/ is the storage layer'],
    ['migrations/0099_x.ts', "import { dialectOf } from '../src-main/db/dialect';", 'no-restricted-paths', 'Migrations are frozen'],
    ['migrations/0099_x.ts', "import { z } from 'zod';", 'no-restricted-imports', 'migrations may import only kysely'],
    ['src-main/runtime/x.ts', "import { app } from 'electron';", 'no-restricted-imports', 'Only src-main/electron/ imports electron'],
    ['src-main/runtime/x.ts', "import { parseArgs } from '../cli/args';", 'no-restricted-paths', 'nothing imports it'],
    ['src-main/app/x.ts', "import { stats } from '../bench/stats';", 'no-restricted-paths', 'bench/ is benchmark code'],
    ['src-main/files/x.ts', "import { seedDemo } from '../demo/seed';", 'no-restricted-paths', 'demo/'],
    [
      'src-main/electron/x.ts',
      "import type { DeskBridge } from '../../src-renderer/src/api/bridge';",
      'no-restricted-paths',
      'never imports src-renderer',
    ],
  ])('%s: %s', async (file, code, rule, why) => {
    const messages = await lint(file, code);
    expect(messages.length, JSON.stringify(messages)).toBeGreaterThan(0);
    expect(
      messages.some((m) => m.rule?.endsWith(rule) && m.message.includes(why)),
      JSON.stringify(messages),
    ).toBe(true);
  });

  it.each([
    ['src-main/contract/x.ts', "import { z } from 'zod';\nimport { AppFailure } from './errors';"],
    ['src-main/engine/x.ts', "import type { Policy } from '../contract/policy';\nimport { decide } from './decide';"],
    ['src-main/db/repos/x.ts', "import type { CaseState } from '../../engine/state';\nimport { sql } from 'kysely';"],
    ['src-renderer/src/features/x.ts', "import { AppFailure } from '../../../src-main/contract/errors';"],
    ['src-main/electron/x.ts', "import { app } from 'electron';\nimport { startHttpServer } from '../transport/http';"],
    ['src-main/cli/x.ts', "import { DEMO_USERS } from '../demo/demo-data';\nimport { parseArgs } from './args';"],
    ['migrations/0099_x.ts', "import { sql } from 'kysely';\nimport { autoId } from './dialect-helpers';"],
    [
      'tests/unit/x.test.ts',
      "import { parseArgs } from '../../src-main/cli/args';\nimport { openDatabase } from '../../src-main/db/connect';",
    ],
  ])('%s may: %s', async (file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });

  it('reports an import it cannot resolve (a layer rule that cannot resolve an import cannot check it)', async () => {
    const messages = await lint('src-main/contract/x.ts', "import { nothing } from './does-not-exist';");
    expect(messages.map((m) => m.rule)).toContain('import-x/no-unresolved');
  });
});
