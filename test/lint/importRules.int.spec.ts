import { expect } from 'chai';
import { ESLint } from 'eslint';
import { findRoot } from './importGraph.js';
import { syntaxOnlyLinter } from './syntaxOnlyLinter.js';
import * as prettier from 'prettier';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = findRoot();

describe('lint config', () => {
  let eslint: ESLint;
  before(() => {
    eslint = syntaxOnlyLinter(root);
  });

  /** Lint `code` as if it were the (not existing) file `relPath` of the repo; the restricted-import messages. */
  const lint = async (relPath: string, code: string): Promise<string[]> => {
    const [result] = await eslint.lintText(code, { filePath: path.join(root, relPath) });
    expect(result, relPath).to.not.equal(undefined);
    expect(result!.messages.filter((m) => m.ruleId !== 'no-restricted-imports')).to.deep.equal([]);
    return result!.messages.map((m) => m.message);
  };

  describe('architecture (no-restricted-imports)', () => {
    it('domain/ may not import node builtins', async () => {
      const messages = await lint('domain/thread/probe.ts', "import * as fs from 'node:fs';\nexport const f = fs;\n");
      expect(messages).to.have.length(1);
      expect(messages[0]).to.include('domain/ is pure: no IO imports');
    });

    it('domain/ may not import bare node builtins nor projections/', async () => {
      const messages = await lint(
        'domain/probe.ts',
        "import { readFile } from 'fs/promises';\nimport { x } from '../projections/turns.js';\nexport const f = [readFile, x];\n",
      );
      expect(messages).to.have.length(2);
      expect(messages[0]).to.include('domain/ is pure: no IO imports');
      expect(messages[1]).to.include('domain/ may not depend on').and.include('projections/');
    });

    it('projections/ may not import lmdb', async () => {
      const messages = await lint('projections/probe.ts', "import { open } from 'lmdb';\nexport const f = open;\n");
      expect(messages).to.have.length(1);
      expect(messages[0]).to.include('projections/ is pure: no IO imports');
    });

    it('replay/ may not import adapters/', async () => {
      const messages = await lint(
        'replay/history/probe.ts',
        "import x from '../../adapters/driven/jsonl/readers/reader.js';\nexport const f = x;\n",
      );
      expect(messages).to.have.length(1);
      expect(messages[0]).to.include('replay/ may not depend on adapters/');
    });

    it('protocol/ is pure and may not import replay/ nor adapters/', async () => {
      const messages = await lint(
        'protocol/probe.ts',
        "import * as fs from 'node:fs';\nimport { x } from '../replay/listTurns.js';\nimport { y } from '../adapters/rpc/server.js';\nexport const f = [fs, x, y];\n",
      );
      expect(messages).to.have.length(3);
      expect(messages[0]).to.include('protocol/ is pure: no IO imports');
      expect(messages[1]).to.include('protocol/ may not depend on').and.include('replay/');
      expect(messages[2]).to.include('protocol/ may not depend on').and.include('adapters/');
    });

    it('domain/ may not import protocol/; protocol/ may import domain/, replay/ may import protocol/', async () => {
      const messages = await lint(
        'domain/probe.ts',
        "import { x } from '../protocol/turns.js';\nexport const f = x;\n",
      );
      expect(messages).to.have.length(1);
      expect(messages[0]).to.include('domain/ may not depend on').and.include('protocol/');
      expect(
        await lint('protocol/probe.ts', "import { x } from '../domain/errors.js';\nexport const f = x;\n"),
      ).to.deep.equal([]);
      expect(
        await lint('replay/probe.ts', "import { x } from '../protocol/turns.js';\nexport const f = x;\n"),
      ).to.deep.equal([]);
    });

    it('adapters outside adapters/driving/cli/ may not import adapters/driving/cli/', async () => {
      for (const [file, code] of [
        ['adapters/driving/rpc/probe.ts', "import { y } from '../cli/indexDir.js';\nexport const f = y;\n"],
        ['adapters/driving/rpc/methods/probe.ts', "import { y } from '../../cli/indexDir.js';\nexport const f = y;\n"],
        [
          'adapters/driving/composition/probe.ts',
          "import { y } from '../../../adapters/driving/cli/indexDir.js';\nexport const f = y;\n",
        ],
      ] as const) {
        const messages = await lint(file, code);
        expect(messages, file).to.have.length(1);
        expect(messages[0], file).to.include('adapters/driving/cli/ is the outermost layer');
      }
      const driven = await lint(
        'adapters/driven/jsonl/readers/probe.ts',
        "import { y } from '../../driving/cli/indexDir.js';\nexport const f = y;\n",
      );
      expect(driven).to.have.length(2);
      expect(driven[0]).to.include('adapters/driving/cli/ is the outermost layer');
      expect(driven[1]).to.include('adapters/driven/ is below indexer/ and adapters/driving/');
    });

    it('indexer/ may import only the adapters below it, and no use case', async () => {
      const messages = await lint(
        'indexer/probe.ts',
        [
          "import { a } from '../adapters/driving/composition/openCodexHome.js';",
          "import { b } from '../adapters/driving/rpc/server.js';",
          "import { c } from '../replay/listTurns.js';",
          "import { d } from '../../adapters/driven/eventstore/eventLog.js';",
          'export const f = [a, b, c, d];',
          '',
        ].join('\n'),
      );
      expect(messages).to.have.length(4);
      expect(messages[0]).to.include('indexer/ may import only the adapters below it');
      expect(messages[1]).to.include('indexer/ may import only the adapters below it');
      expect(messages[2]).to.include('indexer/ may not depend on replay/');
      expect(messages[3]).to.include('indexer/ may import only the adapters below it');
    });

    it('indexer/ takes its reader through the TailReader port: the reader threads (adapters/driven/jsonl/workers/) are not its to import', async () => {
      const messages = await lint(
        'indexer/probe.ts',
        "import { openTailReaderThread } from '../adapters/driven/jsonl/workers/tailReaderThread.js';\nimport type { TailReader } from '../adapters/driven/jsonl/readers/tailReader.js';\nexport const f = openTailReaderThread as unknown as TailReader;\n",
      );
      expect(messages).to.have.length(1);
      expect(messages[0]).to.include('TailReader port');
      // From a stage's subfolder; any module of the reader threads' room (their packed chunks too).
      const nested = await lint(
        'indexer/catchUp/probe.ts',
        "import { w } from '../../adapters/driven/jsonl/workers/packedChunk.js';\nexport const f = w;\n",
      );
      expect(nested).to.have.length(1);
      expect(nested[0]).to.include('TailReader port');
    });

    it('the driven adapters and the pure layers may not import indexer/; the driven adapters not adapters/driving/ either', async () => {
      for (const [file, code] of [
        [
          'adapters/driven/jsonl/readers/probe.ts',
          "import { x } from '../../../indexer/catchUp.js';\nexport const f = x;\n",
        ],
        [
          'adapters/driven/jsonl/readers/probe.ts',
          "import type { X } from '../../../../indexer/catchUp/catchUpOptions.js';\nexport type F = X;\n",
        ],
        [
          'adapters/driven/eventstore/probe.ts',
          "import { x } from '../../driving/composition/openCodexHome.js';\nexport const f = x;\n",
        ],
        [
          'adapters/driven/plugins/probe.ts',
          "import { x } from '../../../adapters/driving/rpc/server.js';\nexport const f = x;\n",
        ],
      ] as const) {
        const below = await lint(file, code);
        expect(below, file).to.have.length(1);
        expect(below[0], file).to.include('adapters/driven/ is below indexer/ and adapters/driving/');
      }
      const replay = await lint('replay/probe.ts', "import { x } from '../indexer/catchUp.js';\nexport const f = x;\n");
      expect(replay).to.have.length(1);
      expect(replay[0]).to.include('replay/ may not depend on').and.include('indexer/');
      const domain = await lint('domain/probe.ts', "import { x } from '../indexer/catchUp.js';\nexport const f = x;\n");
      expect(domain).to.have.length(1);
      expect(domain[0]).to.include('domain/ may not depend on').and.include('indexer/');
    });

    it('allows the indexer its IO and the adapters below it, and the composition root the indexer', async () => {
      expect(
        await lint(
          'indexer/probe.ts',
          "import * as fs from 'node:fs';\nimport { x } from '../adapters/driven/jsonl/discover.js';\nimport { y } from '../adapters/driven/lmdb/schema.js';\nexport const f = [fs, x, y];\n",
        ),
      ).to.deep.equal([]);
      expect(
        await lint(
          'adapters/driving/composition/probe.ts',
          "import { x } from '../../../indexer/openIndex.js';\nexport const f = x;\n",
        ),
      ).to.deep.equal([]);
    });

    it('viewer/ takes only types from the engine, and protocol/client.js at run time; no builtins, no adapters', async () => {
      const [result] = await eslint.lintText(
        [
          "import { x } from '../../domain/errors.js';",
          "import type { Thread } from '../../domain/thread/thread.js';",
          "import { typedClient } from '../../protocol/client.js';",
          "import { METHODS } from '../../protocol/methods.js';",
          "import type { ParamsOf } from '../../protocol/methods.js';",
          "import * as fs from 'node:fs';",
          "import { y } from '../../adapters/driving/rpc/server.js';",
          "export const f = [x, typedClient, METHODS, fs, y] as unknown as [Thread, ParamsOf<'thread/list'>];",
          '',
        ].join('\n'),
        { filePath: path.join(root, 'viewer/app/probe.ts') },
      );
      const messages = result!.messages.map((m) => [m.line, m.ruleId, m.message] as const);
      expect(messages.map(([line, rule]) => [line, rule])).to.deep.equal([
        [1, '@typescript-eslint/no-restricted-imports'],
        [4, '@typescript-eslint/no-restricted-imports'],
        [6, '@typescript-eslint/no-restricted-imports'],
        [7, '@typescript-eslint/no-restricted-imports'],
      ]);
      expect(messages[0]![2]).to.include('viewer/ may import only types');
      expect(messages[1]![2]).to.include('protocol/client.js');
    });

    it('allows fp-ts in domain/, node builtins in adapters/, and adapters/driving/cli/ importing itself', async () => {
      expect(
        await lint('domain/probe.ts', "import * as E from 'fp-ts/lib/Either.js';\nexport const f = E;\n"),
      ).to.deep.equal([]);
      expect(
        await lint('adapters/driven/jsonl/readers/probe.ts', "import * as fs from 'node:fs';\nexport const f = fs;\n"),
      ).to.deep.equal([]);
      expect(
        await lint(
          'adapters/driving/cli/commands/probe.ts',
          "import { y } from '../indexDir.js';\nexport const f = y;\n",
        ),
      ).to.deep.equal([]);
    });
  });

  describe('promises (type-aware: no-floating-promises, no-misused-promises)', () => {
    it('a promise nobody awaits, and one passed where a void callback is expected, are refused; awaited or `void`, allowed', async () => {
      // A file of the project (typed through tsconfig.json), linted with other text.
      const [result] = await new ESLint({ cwd: root }).lintText(
        [
          'const later = (): Promise<void> => Promise.resolve();',
          'later();',
          'setTimeout(later, 1);',
          'export const f = async (): Promise<void> => {',
          '  await later();',
          '  void later();',
          '};',
          '',
        ].join('\n'),
        { filePath: path.join(root, 'test/lint/fileOpeners.ts') },
      );
      expect(result!.messages.map((m) => [m.line, m.ruleId])).to.deep.equal([
        [2, '@typescript-eslint/no-floating-promises'],
        [3, '@typescript-eslint/no-misused-promises'],
      ]);
    });
  });

  describe('one bounded JSON parse (no-restricted-properties)', () => {
    /** The messages of one rule for `code` as the file `relPath`. */
    const ruleMessages = async (relPath: string, code: string): Promise<string[]> => {
      const [result] = await eslint.lintText(code, { filePath: path.join(root, relPath) });
      return result!.messages.filter((m) => m.ruleId === 'no-restricted-properties').map((m) => m.message);
    };

    it('JSON.parse is refused in every layer of the engine (adapters/, domain/, replay/, indexer/, projections/, migrations/): parseJson is the one parse', async () => {
      for (const file of [
        'adapters/driven/jsonl/readers/probe.ts',
        'adapters/driving/cli/commands/probe.ts',
        'domain/probe.ts',
        'replay/probe.ts',
        'indexer/probe.ts',
        'projections/probe.ts',
        'migrations/probe.ts',
      ]) {
        const messages = await ruleMessages(file, 'export const f = (s: string): unknown => JSON.parse(s);\n');
        expect(messages, file).to.have.length(1);
        expect(messages[0], file).to.include('parseJson (domain/jsonNesting.ts)');
      }
    });

    it('allows it in domain/jsonNesting.ts (the parse itself), test/ and bench/', async () => {
      for (const file of ['domain/jsonNesting.ts', 'test/probe.ts', 'bench/probe.ts'])
        expect(
          await ruleMessages(file, 'export const f = (s: string): unknown => JSON.parse(s);\n'),
          file,
        ).to.deep.equal([]);
    });
  });

  describe('prettier', () => {
    it('resolves .prettierrc.json for a .ts file', async () => {
      const tsFile = path.join(root, 'domain', 'errors.ts');
      expect(await prettier.resolveConfigFile(tsFile)).to.equal(path.join(root, '.prettierrc.json'));
      const expected: unknown = JSON.parse(readFileSync(path.join(root, '.prettierrc.json'), 'utf8'));
      expect(await prettier.resolveConfig(tsFile, { editorconfig: false })).to.deep.equal(expected);
    });
  });
});
