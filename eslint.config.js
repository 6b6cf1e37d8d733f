// ESLint flat config. `npm run lint` runs it; `npm test` runs `npm run lint` as a stage.
//
// Three jobs:
//   1. typescript-eslint's type-checked rules (floating promises, exhaustive switches, …),
//      each file checked against its own layer's tsconfig (projectService picks the nearest
//      tsconfig.json, so src-main/contract is linted without node or DOM types);
//   2. react-hooks for the renderer;
//   3. the layer rule: which folder may import which (the target layering: contract and
//      engine pure, db the only SQL, app carrier-agnostic, carriers and entry points at the
//      edge, the renderer on the contract only, frozen migrations), plus import-x/no-cycle
//      over value imports. Every message says what its rule is for.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';

const root = import.meta.dirname;

// ---------------------------------------------------------------------------------------
// The layer rule, part 1: project folders (import-x/no-restricted-paths).
// `target` = the importing files, `from` = what they may not import, `except` = allowed
// sub-folders of `from`. Paths are resolved (so '../../db/connect' and '../db/connect'
// are the same file); type-only imports count too: a layer that may not import a folder
// may not depend on its types either. Tests are no target: tests may import anything.
// ---------------------------------------------------------------------------------------
/** Every src-main folder except the listed ones (as a target glob). */
const srcMainExcept = (...folders) => `src-main/!(${folders.join('|')})/**`;

const layerZones = [
  // contract: the one typed API, shared by main and the renderer.
  {
    target: 'src-main/contract',
    from: 'src-main',
    except: ['./contract'],
    message:
      'contract/ is the pure API shared by main and the renderer (which may import nothing else from src-main): it imports nothing outside contract/.',
  },
  {
    target: 'src-main/contract',
    from: ['src-renderer', 'migrations', 'tests'],
    message: 'contract/ is the pure API shared by main and the renderer: it imports nothing outside contract/.',
  },
  // engine: pure decision and risk functions.
  {
    target: 'src-main/engine',
    from: 'src-main',
    except: ['./contract', './engine'],
    message:
      'engine/ is pure functions over plain data: it imports only contract/ (and engine/). Pass time, policy and loaded state in as arguments.',
  },
  {
    target: 'src-main/engine',
    from: ['src-renderer', 'migrations', 'tests'],
    message: 'engine/ is pure functions over plain data: it imports only contract/ (and engine/).',
  },
  // db: the only place that speaks SQL, called by app/, never calling up.
  {
    target: 'src-main/db',
    from: 'src-main',
    // engine/ is allowed: the risk model's store (repos/risk-store.ts) runs the pure updater
    // against the rows inside the transaction that writes them.
    except: ['./db', './contract', './engine'],
    message:
      'db/ is the storage layer: it imports contract/, engine/ (pure) and migrations/ only, never app/, runtime/, transport/, electron/, files/, cli/ (they call db/, not the other way round).',
  },
  {
    target: 'src-main/db',
    from: ['src-renderer', 'tests'],
    message: 'db/ is the storage layer: it imports contract/, engine/ and migrations/ only.',
  },
  // app: services and dispatch, carrier-agnostic.
  {
    target: 'src-main/app',
    from: ['src-main/transport', 'src-main/electron', 'src-main/cli', 'src-main/demo'],
    message: 'app/ is the carrier-agnostic core: it never imports transport/, electron/, cli/ or demo/.',
  },
  {
    // The clock is the one exception: the Clock port is what every use case takes its `now`
    // from, and a replay (app/replay) runs on its own ManualClock.
    target: 'src-main/app',
    from: 'src-main/runtime',
    except: ['./clock.ts'],
    message: 'app/ never imports runtime/ (the composition root wires app/, not the reverse), except the clock.',
  },
  // files: evidence inspection and blob store.
  {
    target: 'src-main/files',
    from: ['src-main/db', 'src-main/app', 'src-main/engine'],
    message:
      'files/ inspects and stores evidence bytes (runs in worker threads too): it imports no db/, app/ or engine/. Shared pure helpers live in contract/ or files/.',
  },
  // util: tiny leaf helpers.
  {
    target: 'src-main/util',
    from: 'src-main',
    except: ['./util'],
    message: 'util/ holds tiny leaf helpers: it imports nothing from the rest of src-main.',
  },
  // main never depends on the page.
  {
    target: 'src-main',
    from: 'src-renderer',
    message:
      'src-main never imports src-renderer (the untrusted page). Types both sides need (e.g. the preload bridge) live in src-main/contract.',
  },
  // The renderer may use only the contract.
  {
    target: 'src-renderer',
    from: 'src-main',
    except: ['./contract'],
    message:
      'The renderer is the untrusted page: from src-main it imports only src-main/contract (types, zod schemas, pure helpers). Anything else goes through the client (IPC or HTTP).',
  },
  {
    target: 'src-renderer',
    from: ['migrations', 'tests'],
    message: 'The renderer imports only src-renderer and src-main/contract.',
  },
  // Entry points and carriers.
  {
    target: [srcMainExcept('cli'), 'src-renderer/**', 'migrations/**'],
    from: 'src-main/cli',
    message: 'cli/ holds one file per command (entry points): nothing imports it. Move shared code into the layer it belongs to.',
  },
  {
    target: [srcMainExcept('transport', 'electron', 'cli', 'runtime'), 'src-renderer/**', 'migrations/**'],
    from: 'src-main/transport',
    message: 'transport/ holds carriers only: it is imported only by electron/, cli/ and runtime/ (the places that start a carrier).',
  },
  {
    target: [srcMainExcept('demo', 'cli', 'runtime', 'electron'), 'src-renderer/**', 'migrations/**'],
    from: 'src-main/demo',
    message: 'demo/ (demo population, pictures, history) is loaded only when asked for: only cli/, runtime/ and electron/ import it.',
  },
  {
    target: [srcMainExcept('bench', 'cli'), 'src-renderer/**', 'migrations/**'],
    from: 'src-main/bench',
    message: 'bench/ is benchmark code for `npm run bench`: only cli/ (and tests) import it.',
  },
  {
    target: [srcMainExcept('eval', 'cli'), 'src-renderer/**', 'migrations/**'],
    from: 'src-main/eval',
    message: 'eval/ is the risk-model evaluation for the CLI: only cli/ (and tests) import it.',
  },
  // Frozen migrations.
  {
    target: 'migrations',
    from: ['src-main', 'src-renderer', 'tests'],
    message:
      'Migrations are frozen: they import nothing from src-main or src-renderer (code there changes; a migration must not). Copy what you need into migrations/.',
  },
];

// ---------------------------------------------------------------------------------------
// The layer rule, part 2: packages and node builtins (@typescript-eslint/no-restricted-imports,
// which can allow type-only imports). ESLint replaces, not merges, a rule's options when
// several blocks match one file, so each folder gets ONE complete list built here.
// ---------------------------------------------------------------------------------------
const NO_ELECTRON = {
  name: 'electron',
  message: 'Only src-main/electron/ imports electron: everything else also runs under the CLI, the HTTP server and tests.',
};
const pureLayer = (layer, allowedPackages, why) => ({
  // Relative imports are checked by no-restricted-paths above; any non-relative import that is
  // not an allowed package (node: builtins, electron, DOM libraries, …) is refused here.
  regex: `^(?!\\.)(?!(${allowedPackages.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})(/|$))`,
  message: `${layer} may import only ${allowedPackages.length ? allowedPackages.join(', ') + ' and ' : ''}relative files: ${why}`,
});
const restrictedImports = (...entries) => [
  'error',
  {
    paths: entries.filter((e) => 'name' in e),
    patterns: entries.filter((e) => !('name' in e)),
  },
];

const packageRules = [
  {
    files: ['src-main/**/*.ts', 'migrations/**/*.ts'],
    ignores: ['src-main/electron/**'],
    rules: { '@typescript-eslint/no-restricted-imports': restrictedImports(NO_ELECTRON) },
  },
  {
    files: ['src-main/contract/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictedImports(
        // intl-messageformat: pure ICU message formatting (no node:, no DOM), so the renderer
        // previews letters with the very code main uses to write them.
        pureLayer(
          'src-main/contract',
          ['zod', 'intl-messageformat'],
          'it is shared with the renderer, so no node:, electron or DOM modules.',
        ),
      ),
    },
  },
  {
    files: ['src-main/engine/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictedImports(
        pureLayer('src-main/engine', [], 'the engine is pure functions over plain data (no node:, no I/O, no libraries).'),
      ),
    },
  },
  {
    files: ['migrations/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictedImports(
        pureLayer('migrations', ['kysely'], 'a frozen migration is dialect-neutral kysely and nothing else.'),
      ),
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictedImports(
        { ...NO_ELECTRON, message: 'The page never imports electron: it talks to main only through window.api (the preload bridge).' },
        {
          regex: '^node:',
          message: 'The renderer runs in the browser (and in a sandboxed Electron page): no node: modules.',
        },
      ),
    },
  },
];

export default defineConfig(
  {
    ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench-out/**', 'resources/native/**'],
  },

  // ---- Base rule sets -------------------------------------------------------------------
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Each file is type-checked with the nearest tsconfig.json (its layer's config).
        projectService: true,
        tsconfigRootDir: root,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Extensionless relative imports ('./domain') resolve to .ts/.tsx files; dependencies are
      // parsed as TypeScript (without type information) when following imports for no-cycle.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })],
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // ---- Kept on top of recommendedTypeChecked: the important ones ----
      '@typescript-eslint/no-floating-promises': 'error',
      // A switch over a union without `default` must name every member (a new command type,
      // status or error code cannot fall through unnoticed); a deliberate `default` is accepted.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // A layer rule that cannot resolve an import cannot check it: every relative import must resolve.
      'import-x/no-unresolved': ['error', { ignore: ['^[^.]'] }],
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones }],
      'no-restricted-imports': 'off', // the typescript-eslint version below (it knows `import type`)

      // ---- Adjusted: taste, or a pattern this code base uses on purpose ----
      // `async` without `await` is how a function satisfies a Promise-returning interface
      // (handler tables, kysely's MigrationProvider); no-floating-promises and
      // no-misused-promises catch the real promise mistakes.
      '@typescript-eslint/require-await': 'off',
      // `Known | string` documents the known values of an open text column on purpose.
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      // `_name` and `{ dropped, ...kept }` mark deliberately unused values.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Passing on a rejection you caught (`Promise.reject(e)` with e: unknown) is not inventing a non-Error.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  ...packageRules,

  // ---- Pure layers: time and randomness come in as arguments ----------------------------
  {
    files: ['src-main/contract/**/*.ts', 'src-main/engine/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: 'Pure layers take `now` as an argument (the injected clock): deadlines must be testable.',
        },
        {
          object: 'Math',
          property: 'random',
          message: 'Pure layers take randomness as an argument (seeded-random): results must be reproducible.',
        },
      ],
    },
  },

  // ---- Renderer ------------------------------------------------------------------------
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['src-main/**/*.ts', 'migrations/**/*.ts', 'tests/**/*.ts', '*.config.ts'],
    languageOptions: { globals: globals.node },
  },

  // ---- Migrations: Kysely<any> by design --------------------------------------------------
  // A migration must not depend on today's schema types (kysely's own advice), so it works on
  // Kysely<any>; the any-tracking rules would flag every builder call.
  {
    files: ['migrations/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  // ---- Tests: may import anything; JSON bodies and fixtures are poked at as any ----------
  // The no-unsafe-* family guards production code paths (untrusted input must be parsed);
  // in tests an `any` from res.json() or a fixture only ever reaches expect(). The promise
  // rules (floating, misused) stay on: a forgotten await makes a test pass vacuously.
  {
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  // ---- Plain JS files (configs, scripts): no tsconfig covers them -----------------------
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
);
