// ESLint flat config. Its point is the architecture: which layer may import what (no-restricted-imports,
// matched on the import string; test/lint/importRules.int.spec.ts checks the rules catch what they should).
// Syntax-only but for two rules: typescript-eslint's type-aware promise rules (no-floating-promises,
// no-misused-promises), typed through the TypeScript project service (tsconfig.json, viewer/tsconfig.json).
import { builtinModules } from 'node:module';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Node builtins, `node:x` and bare (`fs`, `fs/promises`, ...), except the exact specifiers in `allow`. */
const builtinsRegex = (allow = []) =>
  `^${allow.map((a) => `(?!${escape(a)}$)`).join('')}(?:node:.*|(?:${builtinModules.map(escape).join('|')})(?:/.*)?)$`;

/** Packages that do IO (storage, network, terminal, process arguments). */
const IO_PACKAGES = ['lmdb', '@eventstore/db-client', 'ws', 'commander', 'cli-progress'];
const ioPackagesRegex = `^(?:${IO_PACKAGES.map(escape).join('|')})(?:/.*)?$`;

/** A relative import that goes through one of the repo's top-level folders `dirs`. */
const layersRegex = (dirs) => `^\\.{1,2}/(?:.*/)?(?:${dirs.join('|')})(?:/|$)`;

/**
 * Into adapters/driving/cli: `.../adapters/driving/cli/...` from anywhere, `../../driving/cli/...` from an adapter, or
 * (for files in adapters/driving/x/ and adapters/driving/x/y/) `../cli/...`, `../../cli/...`.
 */
const CLI_REGEX = '^(?:\\.{1,2}/(?:.*/)?(?:adapters/)?driving/cli|(?:\\.\\./){1,2}cli)(?:/|$)';
const CLI_MESSAGE =
  'adapters/driving/cli/ is the outermost layer: only adapters/driving/cli/, test/ and bench/ (which time its commands) may import it (move what you need out of it).';

/** no-restricted-imports for a pure layer: no IO (builtins, IO packages) and none of the `forbiddenDirs`. */
const pureLayer = ({ layer, forbiddenDirs, allowBuiltins = [] }) => [
  'error',
  {
    patterns: [
      {
        regex: builtinsRegex(allowBuiltins),
        caseSensitive: true,
        message: `${layer}/ is pure: no IO imports (node builtins).`,
      },
      {
        regex: ioPackagesRegex,
        caseSensitive: true,
        message: `${layer}/ is pure: no IO imports (${IO_PACKAGES.join(', ')}).`,
      },
      {
        regex: layersRegex(forbiddenDirs),
        caseSensitive: true,
        message: `${layer}/ may not depend on ${forbiddenDirs.map((d) => `${d}/`).join(', ')} (dependencies point inwards).`,
      },
    ],
  },
];

const OUTER = ['adapters', 'indexer', 'replay', 'migrations', 'viewer', 'bench', 'test'];
const domainRule = (allowBuiltins) =>
  pureLayer({ layer: 'domain', forbiddenDirs: [...OUTER, 'projections', 'protocol'], allowBuiltins });
const projectionsRule = (allowBuiltins) =>
  pureLayer({ layer: 'projections', forbiddenDirs: [...OUTER, 'protocol'], allowBuiltins });
// The app-server contract: what a client and the server share, over domain/ only.
const protocolRule = pureLayer({ layer: 'protocol', forbiddenDirs: [...OUTER, 'projections'] });
const replayRule = pureLayer({ layer: 'replay', forbiddenDirs: ['adapters', 'indexer', 'viewer', 'bench', 'test'] });
// Below replay/ (which reads old rollouts through the upcaster): it may not import it back, nor the protocol.
const migrationsRule = pureLayer({
  layer: 'migrations',
  forbiddenDirs: ['adapters', 'indexer', 'replay', 'protocol', 'viewer', 'bench', 'test'],
});

/**
 * The rooms of adapters/: adapters/driving/ (cli, rpc, composition) drives the engine and may import anything below it;
 * adapters/driven/ (files, LMDB, EventStoreDB, Codex's state DB, ...) is driven by it and imports neither indexer/ nor
 * adapters/driving/. Floors, top down: driving/cli → driving/rpc, driving/composition → indexer/ → driven/ → replay/,
 * migrations/ → projections/ → protocol/ → domain/ (test/lint/importGraph.int.spec.ts counts the arrows).
 */
/** The driven adapters the indexer reads and writes through. */
const INDEXER_ADAPTERS = ['jsonl', 'fs', 'lmdb', 'system'];
const CLI_PATTERN = { regex: CLI_REGEX, caseSensitive: true, message: CLI_MESSAGE };
/** test/ and bench/ import the engine, never the other way; viewer/ is bundled for the browser, never imported by it. */
const NOT_ENGINE_PATTERN = {
  regex: layersRegex(['viewer', 'bench', 'test']),
  caseSensitive: true,
  message: 'adapters/ may not import viewer/, bench/ or test/ (they import the engine; the viewer is bundled apart).',
};
/** indexer/ (the projection processor) does IO, but only through the adapters below it: no other adapter (the composition root, transports, the event store…), no use case, no test or bench. */
const indexerRule = [
  'error',
  {
    patterns: [
      CLI_PATTERN,
      {
        regex: `^\\.{1,2}/(?:.*/)?adapters/(?!driven/(?:${INDEXER_ADAPTERS.join('|')})/)`,
        caseSensitive: true,
        message: `indexer/ may import only the adapters below it (${INDEXER_ADAPTERS.map((d) => `adapters/driven/${d}/`).join(', ')}); what it needs of the others is passed in.`,
      },
      {
        regex: layersRegex(['replay', 'viewer', 'bench', 'test']),
        caseSensitive: true,
        message: 'indexer/ may not depend on replay/, viewer/, bench/, test/ (dependencies point inwards).',
      },
      {
        regex: '^\\.{1,2}/(?:.*/)?adapters/driven/jsonl/workers/',
        caseSensitive: true,
        message:
          "indexer/ reads through the TailReader port (adapters/driven/jsonl/readers/tailReader.ts): the reader threads (adapters/driven/jsonl/workers/) are the composition root's choice (CatchUpOptions.tailReader).",
      },
    ],
  },
];
/** The driven adapters sit below the indexer and the drivers: they import neither (the indexer is built over them, the composition wires them). */
const drivenRule = [
  'error',
  {
    patterns: [
      CLI_PATTERN,
      {
        regex: layersRegex(['indexer', 'driving']),
        caseSensitive: true,
        message:
          'adapters/driven/ is below indexer/ and adapters/driving/: it may not import them (pass what it needs down, or declare the port here).',
      },
      NOT_ENGINE_PATTERN,
    ],
  },
];

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/']),

  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-require-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },

  // A promise nobody awaits loses its rejection (a test that cannot fail, an error no one reports);
  // one passed where a callback's void is expected is not awaited by its caller. Fire-and-forget is
  // written `void p` with the reason, where its errors are handled.
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },

  // A few correctness rules the tree already passes (tsc covers the rest).
  {
    files: ['**/*.ts', '**/*.js'],
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'no-debugger': 'error',
      'no-cond-assign': 'error',
      'no-self-assign': 'error',
      'no-self-compare': 'error',
      'no-unreachable': 'error',
      'no-unsafe-finally': 'error',
      'no-unsafe-optional-chaining': 'error',
      'no-constant-binary-expression': 'error',
      'no-async-promise-executor': 'error',
      'no-template-curly-in-string': 'error',
      'no-eval': 'error',
    },
  },

  // Every JSON text that enters is parsed by the one bounded parse (domain/jsonNesting.ts parseJson,
  // serde_json's 127 levels): a value nested deeper overflowed the stack of whatever walked it next.
  {
    files: ['**/*.ts'],
    ignores: ['domain/jsonNesting.ts', 'test/**', 'bench/**', 'viewer/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'JSON',
          property: 'parse',
          message:
            "Parse JSON text with parseJson (domain/jsonNesting.ts): the one parse bounded to serde_json's nesting depth.",
        },
      ],
    },
  },

  // Architecture. With flat config the last matching object's options win, so each layer's rule lists all
  // it forbids (the pure layers' ban on adapters/ covers adapters/driving/cli/).
  {
    files: ['**/*.ts'],
    ignores: ['adapters/driving/cli/**', 'test/**', 'bench/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [CLI_PATTERN] }] },
  },
  { files: ['indexer/**/*.ts'], rules: { 'no-restricted-imports': indexerRule } },
  {
    files: ['adapters/driving/**/*.ts'],
    ignores: ['adapters/driving/cli/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [CLI_PATTERN, NOT_ENGINE_PATTERN] }] },
  },
  {
    files: ['adapters/driving/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NOT_ENGINE_PATTERN] }] },
  },
  { files: ['adapters/driven/**/*.ts'], rules: { 'no-restricted-imports': drivenRule } },
  { files: ['domain/**/*.ts'], rules: { 'no-restricted-imports': domainRule() } },
  { files: ['projections/**/*.ts'], rules: { 'no-restricted-imports': projectionsRule() } },
  { files: ['protocol/**/*.ts'], rules: { 'no-restricted-imports': protocolRule } },
  { files: ['replay/**/*.ts'], rules: { 'no-restricted-imports': replayRule } },
  { files: ['migrations/**/*.ts'], rules: { 'no-restricted-imports': migrationsRule } },

  // The viewer is bundled for the browser: no node builtins nor IO packages, no adapters; of the
  // engine's layers it takes types only (its answers' shapes), and at run time the protocol's typed client.
  {
    files: ['viewer/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: builtinsRegex(), message: 'viewer/ runs in the browser: no node builtins.' },
            { regex: ioPackagesRegex, message: 'viewer/ runs in the browser: no IO packages.' },
            {
              regex: layersRegex(['adapters', 'bench', 'test']),
              caseSensitive: true,
              message: 'viewer/ may not depend on adapters/, bench/, test/.',
            },
            {
              regex: layersRegex(['domain', 'replay', 'projections', 'migrations', 'indexer']),
              caseSensitive: true,
              allowTypeImports: true,
              message:
                'viewer/ may import only types from domain/, replay/ and the other engine layers (`import type`): it is bundled for the browser.',
            },
            {
              regex: '^\\.{1,2}/(?:.*/)?protocol/(?!client\\.js$)',
              caseSensitive: true,
              allowTypeImports: true,
              message:
                'viewer/ may import only types from protocol/, and protocol/client.js (the typed client) at run time.',
            },
          ],
        },
      ],
    },
  },

  // Exemptions, each for one file and one specifier.
  // isAscii/isUtf8 (byte checks, no IO) exist only in node:buffer.
  { files: ['projections/elideLineBytes.ts'], rules: { 'no-restricted-imports': projectionsRule(['node:buffer']) } },
  // SHA-256 (a pure function) exists only in node:crypto: the long form of a key text.
  { files: ['domain/index/keyText.ts'], rules: { 'no-restricted-imports': domainRule(['node:crypto']) } },
);
