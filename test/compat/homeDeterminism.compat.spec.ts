// A compat home is the same bytes every run up to ids and times: every scenario's homes (both
// history modes, as the shared fixture builds them, three at a time) are built twice, and every
// rollout file of each home must be equal after normalising what is Codex's own per run (UUIDs,
// times, durations, the temporary root, the day folder, the sub-agents' nicknames Codex picks at
// random; homeNormalisation.ts). A difference names the file and its lines' kinds first (the
// failures home once had 22 lines in one build and 23 in another), then the first differing values.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCompatHomes, SCENARIOS, type CompatHome } from './scenarios.js';
import { lineKinds, normalisedHome } from './homeNormalisation.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';

/** Every scenario: a race can hide in any of them (the failures home's was an interrupt's timing, not concurrency). */
const BUILT_TWICE = SCENARIOS.map((s) => ({ name: s.name, modes: s.modes }));

describe('compat homes are the same every run, up to ids and times', function () {
  this.timeout(600_000);
  const roots: string[] = [];
  let first: CompatHome[];
  let second: CompatHome[];

  before(async function () {
    roots.push(
      mkdtempSync(join(tmpdir(), 'rollout-engine-determinism-a-')),
      mkdtempSync(join(tmpdir(), 'rollout-engine-determinism-b-')),
    );
    const names = BUILT_TWICE.map((s) => s.name);
    first = await buildCompatHomes(roots[0]!, { scenarios: names });
    second = await buildCompatHomes(roots[1]!, { scenarios: names });
  });
  after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  for (const scenario of BUILT_TWICE) {
    for (const mode of scenario.modes) {
      const key = `${scenario.name}-${mode}`;
      it(`${key}: two builds write the same rollout files`, function () {
        const a = first.find((h) => h.key === key);
        const b = second.find((h) => h.key === key);
        if (a === undefined || b === undefined) throw new Error(`no ${key} home`);
        const [na, nb] = [normalisedHome(a), normalisedHome(b)];
        const kinds = jsonDifferences(lineKinds(na), lineKinds(nb), 20);
        expect(kinds, `${key}, the lines' kinds:\n${describeDifferences(kinds, 'build 1', 'build 2')}`).to.deep.equal(
          [],
        );
        const differences = jsonDifferences(na, nb, 40);
        expect(differences, `${key}:\n${describeDifferences(differences, 'build 1', 'build 2')}`).to.deep.equal([]);
      });
    }
  }
});
