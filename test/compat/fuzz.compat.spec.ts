// The differential fuzzer's fast slice (issue 69, item 1): a fixed seed's first homes
// (test/fuzz/fuzzHome.ts: config variants, both history modes, odd orders, crash tails, cwd,
// provider and source variants), each compared by every history method with random pages and cursors on
// a cold codex app-server 0.169.0 and our serve (compareHome), census fields as Codex writes them
// (the long run edits them too). Fails on an unexplained difference
// (test/fuzz/explained.ts), naming the seed, the fast-check path and the shrunk home; the long
// run is `npm run fuzz -- --seconds N` (docs/compatibility.md, "Differential fuzzer").
import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSeed } from '../fixtures/seededRandom.js';
import { describeHome } from '../fuzz/fuzzHome.js';
import { FuzzSession, keepFailure } from '../fuzz/fuzzSession.js';

/** The slice's seed; `ROLLOUT_ENGINE_FUZZ_SEED` runs another (a failure prints its own). */
const SEED = process.env['ROLLOUT_ENGINE_FUZZ_SEED'] !== undefined ? runSeed('ROLLOUT_ENGINE_FUZZ_SEED') : 69_001;
/** Homes per run: about 3-5 s each (a cold Codex to project paginated threads, one to compare, our serve). */
const HOMES = 8;

describe(`compat: the differential fuzzer's fast slice, seed ${SEED} (codex app-server 0.169.0)`, function () {
  this.timeout(600_000);

  it(`${HOMES} generated homes: every history answer equal to Codex's or declared`, async () => {
    // Census edits left out: their differences are the long run's to list (docs/compatibility.md, "Differential fuzzer").
    const session = new FuzzSession({ maxShrinks: 10, edits: false });
    const details = await fc.check(session.property(), { seed: SEED, numRuns: HOMES });
    let where = '';
    if (details.failed && session.smallest !== undefined) {
      const dir = mkdtempSync(join(tmpdir(), 'rollout-engine-fuzz-failure-'));
      const replay = `ROLLOUT_ENGINE_FUZZ_SEED=${SEED}, or npm run fuzz -- --no-edits --replay ${SEED}:${details.counterexamplePath ?? ''}`;
      keepFailure(dir, session.smallest, replay);
      where = `seed ${SEED} path ${details.counterexamplePath ?? ''} (${replay}); shrunk home in ${dir}:\n${describeHome(session.smallest.home)}\n${session.smallest.outcome.problems.slice(0, 3).join('\n')}`;
    }
    const declared = [...session.classes]
      .filter(([, t]) => t.declared !== undefined)
      .map(([c, t]) => `${c} (${t.declared!.id})`);
    process.stdout.write(
      `      fuzz seed ${SEED}: ${session.homes} homes, ${session.answers} answers compared, declared classes: ${declared.join('; ') || 'none'}\n`,
    );
    expect(details.failed, where || String(details.errorInstance ?? '')).to.equal(false);
    expect(session.homes, 'homes compared').to.equal(HOMES);
    expect(session.answers, 'answers compared').to.be.greaterThan(HOMES * 20);
  });
});
