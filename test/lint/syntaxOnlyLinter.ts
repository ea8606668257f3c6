// ESLint on the repo's own config for probe files, which exist only as text: no TypeScript project
// holds them, so the config's rules run syntax-only and its two type-aware rules are left out
// (importRules.int.spec.ts has a test of its own for those).
import { ESLint } from 'eslint';

/** The repo's lint config at `root`, syntax-only, for `lintText` of files that do not exist. */
export const syntaxOnlyLinter = (root: string): ESLint =>
  new ESLint({
    cwd: root,
    overrideConfig: {
      files: ['**/*.ts'],
      languageOptions: { parserOptions: { projectService: false } },
      rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
    },
  });
