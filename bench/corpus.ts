/**
 * Fidelity report against the codex-oracle corpus (../shared/codex-oracle, present on the
 * developers' machines only; tests never read it). For every rollout file: decode→encode is
 * byte-identical. For every `thread/read` golden: our answer equals Codex's, normalising only
 * `status`, `updatedAt` / `recencyAt` (the files' times, which the corpus does not keep) and the
 * corpus path prefix. Prints JSON.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { decodeRolloutLine, encodeRolloutLine } from '../domain/rollout/line.js';
import { readThreadByFold } from '../test/oracle/wholeFileFold.js';
import { jsonlRolloutStore } from '../test/oracle/rolloutStore.js';
import { renderError } from '../domain/errors.js';
import { firstDifference } from './jsonDiff.js';

interface Golden {
  method: string;
  params: Record<string, unknown>;
  result?: { thread: Record<string, unknown> };
}

const walk = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
        const p = nodePath.join(dir, d.name);
        return d.isDirectory() ? walk(p) : [p];
      })
    : [];

export const runCorpus = async (corpusDir: string): Promise<Record<string, unknown>> => {
  const scenarios = fs
    .readdirSync(corpusDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(nodePath.join(corpusDir, d.name, 'home')))
    .map((d) => d.name)
    .sort();
  let files = 0;
  let lines = 0;
  const roundTripFailures: string[] = [];
  const readResults: Array<{ scenario: string; golden: string; live?: boolean; equal: boolean; diff?: string }> = [];
  for (const scenario of scenarios) {
    for (const homeName of ['home', 'home-final']) {
      const home = nodePath.join(corpusDir, scenario, homeName);
      for (const f of walk(home).filter((p) => /rollout-.*\.jsonl$/.test(p))) {
        files += 1;
        const bytes = fs.readFileSync(f);
        const text = bytes.toString('utf8');
        const parts = text.split('\n');
        const encoded: string[] = [];
        for (const part of parts.slice(0, -1)) {
          lines += 1;
          const d = decodeRolloutLine(part);
          encoded.push(E.isRight(d) ? encodeRolloutLine(d.right) : part);
          if (E.isLeft(d)) roundTripFailures.push(`${f}: ${d.left}`);
        }
        encoded.push(parts[parts.length - 1] ?? '');
        if (!Buffer.from(encoded.join('\n'), 'utf8').equals(bytes)) roundTripFailures.push(`${f}: bytes differ`);
      }
    }
    const home = nodePath.join(corpusDir, scenario, 'home');
    const store = jsonlRolloutStore(home);
    const goldenDir = nodePath.join(corpusDir, scenario, 'golden');
    for (const g of fs.readdirSync(goldenDir).sort()) {
      const golden = JSON.parse(fs.readFileSync(nodePath.join(goldenDir, g), 'utf8')) as Golden;
      if (golden.method !== 'thread/read' || !golden.result || golden.params['includeTurns'] !== true) continue;
      // Live goldens were asked mid-scenario; only cold ones (and those taken when the home was final) describe `home/`.
      const ours = await readThreadByFold(store, String(golden.params['threadId']), true)();
      const prefix = `/srv/codex-oracle/${scenario}/home`;
      if (E.isLeft(ours)) {
        readResults.push({ scenario, golden: g, equal: false, diff: renderError(ours.left) });
        continue;
      }
      const normalised = JSON.parse(JSON.stringify(ours.right).split(home).join(prefix)) as Record<string, unknown>;
      // A live golden was asked of the process that had the thread loaded: `status`,
      // `environments` and `canAcceptDirectInput` describe that process, not the history.
      const live = /-live-|^\d+-read-after/.test(g);
      // `updatedAt` / `recencyAt`: the goldens' Codex had a state DB that ran the threads, which the
      // corpus does not keep; without it they are the files' mtimes, which the corpus's copy does
      // not keep either (bench/goldens.ts `allowClockSkew`).
      const process = {
        status: normalised['status'],
        updatedAt: normalised['updatedAt'],
        recencyAt: normalised['recencyAt'],
      };
      const expected = live
        ? { ...golden.result.thread, ...process, environments: null, canAcceptDirectInput: null }
        : { ...golden.result.thread, ...process };
      const diff = firstDifference(expected, normalised);
      readResults.push(
        diff === undefined
          ? { scenario, golden: g, live, equal: true }
          : { scenario, golden: g, live, equal: false, diff },
      );
    }
  }
  return {
    corpus: corpusDir,
    rolloutFiles: files,
    lines,
    roundTripByteIdentical: roundTripFailures.length === 0,
    roundTripFailures,
    threadRead: {
      compared: readResults.length,
      equal: readResults.filter((r) => r.equal).length,
      coldCompared: readResults.filter((r) => r.live === false).length,
      coldEqual: readResults.filter((r) => r.live === false && r.equal).length,
      results: readResults,
    },
  };
};
