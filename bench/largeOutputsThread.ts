/**
 * The large-outputs thread (issue 73's second `thread/read` shape): a session whose tool calls
 * print large outputs, written by the real codex once per machine in a cache entry of its own
 * (the real-shaped template, bench/realHome.ts, is unchanged); `buildHugeThreadHome` repeats it.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { buildScenarioHome } from '../test/compat/scenarios.js';
import type { CompatHome, ScenarioContext, ScenarioDefinition } from '../test/compat/scenarios.js';
import type { HistoryMode } from '../domain/rollout/historyMode.js';
import { CODEX_VERSION, cachedTemplate } from './templateCache.js';

/** Turns of the large-outputs thread (repeated to a huge thread's size by `buildHugeThreadHome`). */
const LARGE_OUTPUT_TURNS = 24;

/** A log the large-outputs session reads whole: about 190 KB of the lines a service writes. */
const bigLog = (): string =>
  Array.from(
    { length: 2400 },
    (_, i) =>
      `2026-11-27T12:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z INFO request ${i} served in ${i % 17} ms path=/api/threads/${i % 97}\n`,
  ).join('');

/**
 * A session whose tool calls print large outputs (a log read whole, a long listing), as an
 * agent's debugging session does: the turns `thread/read includeTurns` answers in bulk, where
 * the answer's size follows the outputs (issue 73's second read shape).
 */
const largeOutputs: ScenarioDefinition = {
  name: 'largeOutputs',
  modes: ['legacy', 'paginated'],
  prepareWorkDir: (workDir) => fs.writeFileSync(nodePath.join(workDir, 'service.log'), bigLog()),
  run: async (ctx: ScenarioContext) => {
    const id = await ctx.startThread('largeOutputs');
    for (let i = 1; i <= LARGE_OUTPUT_TURNS; i++) {
      ctx.mock.replyTo(id, {
        kind: 'stream',
        output: [
          { type: 'reasoning', summary: `Reading the output of step ${i}.` },
          i % 2 === 1
            ? { type: 'functionCall', callId: `call_log_${i}`, cmd: 'cat service.log' }
            : { type: 'functionCall', callId: `call_seq_${i}`, cmd: `seq 1 ${20000 + i * 500}` },
        ],
      });
      await ctx.turn(id, `Step ${i}: read the ${i % 2 === 1 ? 'service log' : 'numbers'} and tell me what stands out.`);
    }
  },
};

/** The large-outputs thread of each mode, written by codex once per machine (its own cache entry: the real-shaped template is unchanged). */
export interface LargeOutputsTemplate {
  readonly dir: string;
  readonly threads: Readonly<
    Record<HistoryMode, { readonly codexHome: string; readonly workDir: string; readonly threadId: string }>
  >;
}

/** Bumped when the large-outputs session changes. */
const LARGE_OUTPUTS_VERSION = 1;

export const largeOutputsTemplate = (log?: (line: string) => void): Promise<LargeOutputsTemplate> =>
  cachedTemplate(
    `large-outputs-codex-${CODEX_VERSION}-v${LARGE_OUTPUTS_VERSION}`,
    'the large-outputs thread',
    log,
    async (dir) => {
      const paginated = await buildScenarioHome(largeOutputs, 'paginated', dir);
      const legacy = await buildScenarioHome(largeOutputs, 'legacy', dir);
      const of = (h: CompatHome) => ({ codexHome: h.codexHome, workDir: h.workDir, threadId: h.threads[0]!.id });
      return { dir, threads: { paginated: of(paginated), legacy: of(legacy) } };
    },
  );
