import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { catchUpHome } from '../../../indexer/catchUp/catchUp.js';
import { openIndex } from '../../../indexer/open/openIndex.js';
import { SCHEMA_VERSION, SCHEMA_VERSION_KEY } from '../../../adapters/driven/lmdb/schema.js';
import { tokenStateApiSources } from '../../../migrations/index/029-token-state-api-source.js';
import { auditTokenUsage } from '../../../replay/tokens/auditTokenUsage.js';
import { DEFAULT_PRICING } from '../../../domain/tokens/pricing.js';
import type { TokenStateRow } from '../../../domain/index/rows.js';
import { RolloutWriter } from '../../fixtures/rolloutLines.js';
import { right } from '../../fixtures/right.js';
import { useTempDir } from '../../fixtures/tempDir.js';

const READABLE = '01a1fe84-0000-7000-8000-0000000000e1';
const EARLY = '01a1fe84-0000-7000-8000-0000000000e2';
const EXEC = '01a1fe84-0000-7000-8000-0000000000e3';
const day = 'sessions/2026/11/21';
const USAGE = {
  input_tokens: 10,
  cached_input_tokens: 0,
  output_tokens: 5,
  reasoning_output_tokens: 0,
  total_tokens: 15,
};

describe('schema 28 → 29: the token report’s client follows the thread row’s source rule', () => {
  const tmp = useTempDir('token-state-source-');

  it('a meta Codex reads without source is vscode, a named one itself, in thread/list and the token report alike, one it cannot read unknown in the report (its row built from the file name); the in-place step derives it', async () => {
    const home = nodePath.join(tmp(), 'home');
    await fs.mkdir(nodePath.join(home, day), { recursive: true });
    // No originator to name the client: the source's kind does.
    const metas: ReadonlyArray<[string, Record<string, unknown>]> = [
      [READABLE, { source: undefined, originator: '' }],
      // Before 0.32: no originator nor cli_version (Codex: "failed to read session metadata").
      [EARLY, { source: undefined, originator: undefined, cli_version: undefined }],
      [EXEC, { source: 'exec', originator: '' }],
    ];
    for (const [id, meta] of metas) {
      const w = new RolloutWriter('legacy', id).sessionMeta(meta).tokenCountTotal(USAGE);
      await fs.writeFile(nodePath.join(home, `${day}/rollout-2026-11-21T14-00-00-${id}.jsonl`), w.text());
    }
    const store = right(await openIndex(nodePath.join(tmp(), 'index'), home)()).store;
    try {
      right(await catchUpHome(store, home)());
      const sources = Object.fromEntries(
        right(await store.range('threads', [])()).map((r) => [r.key[0], (r.value as { source: unknown }).source]),
      );
      // A meta Codex refuses has the row Codex's backfill builds from the file name (source `vscode`,
      // shown by state-DB lists only: rollout/src/metadata.rs `builder_from_items`); its tokens count as `unknown`.
      expect(sources).to.deep.equal({ [READABLE]: 'vscode', [EARLY]: 'vscode', [EXEC]: 'exec' });
      const clients = async () =>
        right(
          await auditTokenUsage(store, {
            localDay: (iso) => iso.slice(0, 10),
            pricing: DEFAULT_PRICING,
            dimensions: ['client'],
          })(),
        )
          .groups.client.map((g) => [g.key, g.totalTokens])
          .sort();
      // Before: the readable meta's thread was `vscode` in thread/list and `unknown` in the report.
      const expected = [
        ['exec', 15],
        ['unknown', 15],
        ['vscode', 15],
      ];
      expect(await clients()).to.deep.equal(expected);
      const fresh = right(await store.dump()());

      // The same index as schema 28 wrote it: each file's raw session_meta source (null when absent).
      const rows = right(await store.range('tokenState', [])());
      right(
        await store.commit(() => [
          ...rows.map((r) => {
            const raw = metas.find(([id]) => id === r.key[0])![1]['source'] ?? null;
            return {
              op: 'put' as const,
              table: 'tokenState' as const,
              key: r.key,
              value: { ...(r.value as TokenStateRow), source: raw },
            };
          }),
          { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: 28 },
        ])(),
      );
      expect(await clients()).to.not.deep.equal(expected);
      right(
        await store.commit((reader) => [
          ...tokenStateApiSources(reader),
          { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: SCHEMA_VERSION },
        ])(),
      );
      expect(right(await store.dump()())).to.deep.equal(fresh);
      expect(await clients()).to.deep.equal(expected);
    } finally {
      right(await store.close()());
    }
  });
});
