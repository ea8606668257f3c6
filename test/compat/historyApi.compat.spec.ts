// The history read API of `rollout-engine serve` against the real `codex app-server` 0.169.0, both
// cold on the same generated CODEX_HOME: thread/list, thread/read, thread/turns/list and
// thread/items/list, with every view, both directions, page walks that follow each server's own
// cursors, item anchors, deferred output and the error cases.
import { expect } from 'chai';
import { BUILD_TIMEOUT_MS, sharedCompatHomes, type CompatFixture } from './compatHomes.js';
import { compareHome } from './historyComparison.js';
import { SCENARIOS } from './scenarios.js';

/** Answers compared and found equal, per method, over every home (printed after the suite: the closing notes cite it). */
const equalByMethod = new Map<string, number>();

describe('compat: history API (rollout-engine serve vs codex app-server 0.169.0, cold)', function () {
  this.timeout(300_000);
  let fixture: CompatFixture;

  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS);
    fixture = await sharedCompatHomes();
  });

  after(() => {
    const total = [...equalByMethod.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(
      `    history API answers equal to codex's, every home: ${total} (${[...equalByMethod].map(([m, n]) => `${m} ${n}`).join(', ')})\n`,
    );
  });

  for (const scenario of SCENARIOS) {
    for (const mode of scenario.modes) {
      const key = `${scenario.name}-${mode}`;
      it(`${key}: list, read, turns and items pages equal codex's`, async function () {
        const home = fixture.homes.find((h) => h.key === key);
        expect(home, `home ${key} was built`).to.not.equal(undefined);
        // A page whose two threads' readings run the other way on the two clocks (within ~33 ms) is compared in the DB's order, named.
        const { compared, problems, byMethod, acrossCursor, reordered } = await compareHome(home!, {
          inStateDbOrder: true,
        });
        for (const [m, n] of byMethod) equalByMethod.set(m, (equalByMethod.get(m) ?? 0) + n);
        process.stdout.write(
          `      ${key}: ${compared} answers compared; equal: ${[...byMethod].map(([m, n]) => `${m} ${n}`).join(', ')}\n`,
        );
        // A state-DB walk's pages past a cursor a thread lies across are the clocks' doing, not a rule's (named, not compared).
        if (reordered.length > 0)
          process.stderr.write(
            `${key}: ${reordered.length} state-DB list pages compared in the DB's order:\n  ${reordered.join('\n  ')}\n`,
          );
        if (acrossCursor.length > 0)
          process.stderr.write(
            `${key}: ${acrossCursor.length} walks compared up to a cursor a thread lies across:\n  ${acrossCursor.join('\n  ')}\n`,
          );
        expect(compared, 'answers compared').to.be.greaterThan(0);
        if (problems.length > 0)
          expect.fail(`${problems.length} of ${compared} answers differ:\n${problems.slice(0, 12).join('\n')}`);
      });
    }
  }
});
