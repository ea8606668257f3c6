// A rollout whose first line Codex cannot decode at all (not JSON; an envelope whose `timestamp` is
// a number): Codex finds the file by the id in its name and refuses every read with the meta it
// could not read (-32603 `failed to read session metadata …: rollout at … is empty`, wrapped once
// more for the lines it reads after it), and lists the thread nowhere. Ours keys such a file by its
// name's id, as a first line that is no meta (adapters/driven/jsonl/readers/probe.ts `identityOf`);
// before, it was reported unreadable and every read answered `thread not loaded`. Found by the
// fuzzer (`--replay 927396124:13:0:1:1`). A file whose first line is not UTF-8 stays unreadable.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDatedRollout } from '../fixtures/legacyRollout.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { compatCodexVersion } from './appServer.js';
import { differingAnswers, inCodexFolders, withColdCodexAndOurs } from './codexAndOurs.js';
import type { Step } from './codexAndOurs.js';

const idOf = (n: number): string => `019a0000-0000-7000-8000-${String(n).padStart(12, '0')}`;

/** Each thread's mode and the text its first line is replaced by (null: as written, the control). */
const CASES: ReadonlyArray<readonly [label: string, mode: 'legacy' | 'paginated', first: string | null]> = [
  ['legacy, not JSON', 'legacy', 'not json at all'],
  ['paginated, not JSON', 'paginated', 'not json at all'],
  ['legacy, a number for the timestamp', 'legacy', '{"timestamp":1700000000,"type":"session_meta","payload":{}}'],
  ['legacy, an empty first line', 'legacy', ''],
  ['legacy, as written', 'legacy', null],
];

describe(`compat: a first line Codex cannot decode (codex app-server ${compatCodexVersion()})`, function () {
  this.timeout(300_000);

  it("every read refused as Codex refuses it, the thread listed nowhere, the home's other threads as Codex answers them", async () => {
    const root = mkdtempSync(join(tmpdir(), 'rollout-engine-first-line-'));
    try {
      const home = { codexHome: join(root, 'home'), workDir: join(root, 'work') };
      mkdirSync(home.workDir, { recursive: true });
      CASES.forEach(([, mode, first], i) => {
        const id = idOf(300 + i);
        const startMs = Date.UTC(2026, 10, 24, 9 + i, 0, 0);
        const w = new RolloutWriter(mode, id, { startMs });
        w.sessionMeta({ model_provider: 'mock' })
          .taskStarted('t1')
          .responseMessage('user', `question ${i}`)
          .push('event_msg', { type: 'user_message', message: `question ${i}`, images: [] })
          .push('event_msg', { type: 'agent_message', message: 'answer' })
          .responseMessage('assistant', 'answer')
          .taskComplete('t1');
        const lines = w
          .text()
          .split('\n')
          .filter((l) => l !== '');
        if (first !== null) lines[0] = first;
        writeDatedRollout(home.codexHome, id, startMs, lines.map((l) => `${l}\n`).join(''), new Date(w.nowMs()));
      });
      const steps: Step[] = [
        ...CASES.flatMap(([label], i): Step[] => [
          [label, 'thread/read', { threadId: idOf(300 + i), includeTurns: true }],
          [label, 'thread/turns/list', { threadId: idOf(300 + i) }],
        ]),
        ['list', 'thread/list', { modelProviders: [], limit: 100 }],
        ['list', 'thread/list', { modelProviders: [], limit: 100, useStateDbOnly: true }],
        ['search', 'thread/search', { searchTerm: 'question', limit: 100 }],
      ];
      const serve = {
        args: ['--index-dir', join(root, 'index'), '--codex-version', compatCodexVersion()],
        ...inCodexFolders(home),
      };
      const { differing, compared } = await withColdCodexAndOurs(home, serve, (codex, ours) =>
        differingAnswers(codex, ours, steps),
      );
      process.stderr.write(
        `  a first line Codex cannot decode: ${compared - differing.length}/${compared} answers equal\n`,
      );
      expect(differing, differing.join('\n')).to.deep.equal([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
