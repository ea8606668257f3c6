// The fuzzer's random pages and cursors: more steps for compareHome (historyComparison.ts), drawn
// from the home's step seed so that a home's answers replay exactly. Each history method with a
// random limit (0, 1, a few, many, none), direction, view, cursor (none, garbage, empty, an item
// anchor of this turn or another, a number) and a walk that follows each server's own cursors.
import type { Step } from '../compat/historyComparison.js';
import { seededRandom } from '../fixtures/seededRandom.js';

type Pick = <T>(choices: readonly T[]) => T;

const picker = (seed: number): { pick: Pick; chance: (p: number) => boolean } => {
  const random = seededRandom(seed);
  return {
    pick: <T>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)]!,
    chance: (p: number) => random() < p,
  };
};

/** Optional keys: drawn as absent (undefined, dropped) or a value. */
const defined = (params: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));

const LIMITS = [undefined, 0, 1, 2, 3, 7, 100] as const;
const DIRECTIONS = [undefined, 'asc', 'desc'] as const;
const SOURCE_KINDS = ['cli', 'vscode', 'exec', 'appServer', 'subAgent', 'subAgentReview', 'unknown'];

/** Random thread/list steps over the home's texts and folders. */
export const randomListSteps = (seed: number, workDir: string, count = 6): Step[] => {
  const { pick, chance } = picker(seed);
  return Array.from({ length: count }, (_, n) => {
    const params = defined({
      limit: pick(LIMITS),
      sortKey: pick([undefined, 'created_at', 'updated_at', 'recency_at']),
      sortDirection: pick(DIRECTIONS),
      archived: pick([undefined, false, true]),
      modelProviders: pick([undefined, null, [], ['openai'], ['mock', 'ollama-local'], ['']]),
      sourceKinds: pick([undefined, [], SOURCE_KINDS, ['subAgentReview']]),
      searchTerm: pick([undefined, undefined, 'turn', 'Review', 'é中', '  padded', 'x'.repeat(40)]),
      cwd: pick([undefined, undefined, workDir, `${workDir}/`, 'C:\\Users\\dev\\project', 'relative/project']),
      useStateDbOnly: chance(0.3) ? true : undefined,
      cursor: chance(0.15)
        ? pick(['not-a-cursor', '', '2026-11-21T14:00:00Z|019aa3c0-0000-7000-8000-000000000001'])
        : undefined,
    });
    return { label: `random list ${n}`, method: 'thread/list', params, walk: pick([0, 1, 3, 10]) };
  });
};

/** Random steps of one thread: reads, turn and item pages, item reads, with its own turn and item ids. */
export const randomThreadSteps = (
  seed: number,
  threadId: string,
  turnIds: readonly string[],
  itemIds: ReadonlyArray<{ turnId: string; itemId: string }>,
  count = 8,
): Step[] => {
  // One stream per thread, so a thread's steps do not move when another thread's turns change.
  const { pick, chance } = picker(seed ^ [...threadId].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
  const turn = (): string | undefined => pick([...turnIds, 'no-such-turn', undefined]);
  const anchor = (): unknown => {
    const item = itemIds.length > 0 ? pick(itemIds) : undefined;
    return pick([
      undefined,
      'not-a-cursor',
      '',
      42,
      { type: 'item', itemId: item?.itemId ?? 'no-such-item' },
      { type: 'unknown_variant_x' },
    ]);
  };
  const steps: Step[] = [];
  for (let n = 0; n < count; n += 1) {
    const method = pick([
      'thread/read',
      'thread/turns/list',
      'thread/items/list',
      'thread/items/list',
      'thread/items/read',
    ]);
    const label = `random ${method} ${n}`;
    if (method === 'thread/read')
      steps.push({ label, method, params: defined({ threadId, includeTurns: pick([undefined, true, false]) }) });
    else if (method === 'thread/turns/list')
      steps.push({
        label,
        method,
        params: defined({
          threadId,
          limit: pick(LIMITS),
          sortDirection: pick(DIRECTIONS),
          itemsView: pick([undefined, 'notLoaded', 'summary', 'full']),
          cursor: chance(0.2) ? pick(['not-a-cursor', '', '0']) : undefined,
        }),
        walk: pick([0, 2, 10]),
      });
    else if (method === 'thread/items/list') {
      const turnId = turn();
      steps.push({
        label,
        method,
        params: defined({
          threadId,
          turnId,
          limit: pick(LIMITS),
          sortDirection: pick(DIRECTIONS),
          cursor: chance(0.5) ? anchor() : undefined,
          deferOutput: chance(0.3) ? { commandExecution: true, mcpToolCall: pick([true, false]) } : undefined,
        }),
        walk: pick([0, 2, 10]),
      });
    } else {
      const turnId = turn() ?? turnIds[0] ?? 'no-such-turn';
      const ofTurn = itemIds.filter((i) => i.turnId === turnId).map((i) => i.itemId);
      const ids = ofTurn.filter(() => chance(0.6));
      steps.push({
        label,
        method,
        params: { threadId, turnId, itemIds: chance(0.3) ? [...ids, 'no-such-item'] : ids.reverse() },
      });
    }
  }
  return steps;
};
