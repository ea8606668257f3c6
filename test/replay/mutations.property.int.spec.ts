// Properties of the mutations over generated histories, on real files and LMDB:
//  - a fork never shows what its source wrote after the fork point;
//  - a rollback of N reads as the history with its last N turns removed (cumulatively).
import { expect } from 'chai';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { forkThread } from '../../replay/mutations/forkThread.js';
import { rollbackThread } from '../../replay/mutations/rollbackThread.js';
import { chatThread, openMutationHome, readTurns, right, rolloutName, writeRollout } from './mutationHome.js';

const SOURCE = 'dddddddd-0000-7000-8000-000000000001';

const withHome = async (run: (home: string) => Promise<void>): Promise<void> => {
  const home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 're-mutprop-'));
  try {
    await run(home);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
};

const itemIds = (turns: Awaited<ReturnType<typeof readTurns>>): string[] =>
  turns.flatMap((t) => t.items.map((i) => `${t.id}/${i.id}`));

describe('mutation properties (generated histories)', function () {
  this.timeout(120_000);

  it('a fork never shows items its source wrote after the fork point', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('paginated' as const, 'legacy' as const),
        fc.integer({ min: 1, max: 5 }),
        fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
        fc.integer({ min: 1, max: 4 }),
        async (mode, turns, lastTurn, later) =>
          withHome(async (home) => {
            const w = chatThread(mode, SOURCE, turns);
            const path = writeRollout(home, rolloutName(SOURCE), w.text());
            const m = await openMutationHome(home);
            try {
              const before = await readTurns(m, SOURCE);
              const keep = lastTurn === undefined ? turns : Math.min(lastTurn, turns);
              const f = await right(
                forkThread(m.ports, {
                  threadId: SOURCE,
                  ...(lastTurn === undefined ? {} : { lastTurnId: `t${keep}` }),
                }),
              );
              // The source goes on after the fork.
              const size = w.lines.length;
              for (let i = 1; i <= later; i++) w.chatTurn(`late${i}`, `later ${i}`, `late answer ${i}`);
              fs.appendFileSync(
                path,
                w.lines
                  .slice(size)
                  .map((l) => `${l}\n`)
                  .join(''),
              );
              const sourceNow = await readTurns(m, SOURCE);
              const forkNow = await readTurns(m, f.thread.id);
              expect(sourceNow.length).to.equal(turns + later);
              expect(forkNow).to.deep.equal(before.slice(0, keep));
              expect(f.thread.turns).to.deep.equal(before.slice(0, keep));
              const late = new Set(itemIds(sourceNow.slice(turns)));
              expect(itemIds(forkNow).filter((id) => late.has(id))).to.deep.equal([]);
            } finally {
              await m.close();
            }
          }),
      ),
      { numRuns: 12 },
    );
  });

  it('a rollback of N reads as the history without its last N turns, rollback after rollback', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('paginated' as const, 'legacy' as const),
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 3 }),
        async (mode, turns, rollbacks) =>
          withHome(async (home) => {
            writeRollout(home, rolloutName(SOURCE), chatThread(mode, SOURCE, turns).text());
            const m = await openMutationHome(home);
            try {
              const history = await readTurns(m, SOURCE);
              let kept = history.length;
              for (const n of rollbacks) {
                const r = await right(rollbackThread(m.ports, { threadId: SOURCE, numTurns: n }));
                kept = Math.max(0, kept - n);
                expect(r.thread.turns).to.deep.equal(history.slice(0, kept));
                expect(await readTurns(m, SOURCE)).to.deep.equal(history.slice(0, kept));
              }
            } finally {
              await m.close();
            }
          }),
      ),
      { numRuns: 15 },
    );
  });
});
