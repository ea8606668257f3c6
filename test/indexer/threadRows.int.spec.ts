import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { jsonlRolloutStore } from '../oracle/rolloutStore.js';
import { readThreadByFold } from '../oracle/wholeFileFold.js';
import fc from 'fast-check';
import type { ThreadRow } from '../../domain/index/rows.js';
import { RolloutWriter, baseAfter, threeTurnRoot } from '../fixtures/rolloutLines.js';
import { act, newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import type { Action } from '../projections/synth.js';
import { right } from '../fixtures/right.js';
import { envelopeLess } from '../fixtures/earlyRollouts.js';

describe('thread rows agree with thread/read of the whole-file fold', function () {
  this.timeout(120_000);

  it('paginated, legacy and archived threads, names from session_index.jsonl', async () => {
    const home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-t-'));
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-t-'));
    const store = right(await openLmdbIndex(dir)());
    try {
      const p = newThread(61);
      const l = newThread(62, 'legacy');
      const a = newThread(63);
      const write = async (rel: string, lines: string[]) => {
        const f = nodePath.join(home, rel);
        await fs.mkdir(nodePath.dirname(f), { recursive: true });
        await fs.writeFile(f, lines.map((x) => x + '\n').join(''));
      };
      await write(rolloutRelPath(p.threadId), threadLines(p, 2));
      const ll = threadLines(l, 2);
      ll.push(...act(l, 'startTurn'), ...act(l, 'user'), ...act(l, 'fail'));
      await write(rolloutRelPath(l.threadId), ll);
      await write(`archived_sessions/${nodePath.basename(rolloutRelPath(a.threadId))}`, threadLines(a, 1));
      await fs.writeFile(
        nodePath.join(home, 'session_index.jsonl'),
        [
          { id: p.threadId, thread_name: 'first' },
          { id: p.threadId, thread_name: 'renamed' },
          { id: l.threadId, thread_name: 'legacy one' },
        ]
          .map((x) => JSON.stringify({ ...x, updated_at: '2026-11-21T14:00:00Z' }) + '\n')
          .join(''),
      );
      right(await catchUpHome(store, home)());
      for (const t of [p, l, a]) {
        const row = right(await store.get('threads', [t.threadId])())!;
        const {
          turns: _t,
          status: _s,
          ...expected
        } = right(await readThreadByFold(jsonlRolloutStore(home), t.threadId, false)());
        const { archived, rolloutId, sortMs, fileMtimeMs: _m, ...fields } = row;
        expect(fields).to.deep.equal(expected);
        expect(archived).to.equal(t === a);
        expect(rolloutId).to.equal(t.threadId);
        // The list's sort keys are the row's times in milliseconds.
        expect([sortMs.created, sortMs.updated, sortMs.recency].map((ms) => Math.floor(ms / 1000))).to.deep.equal([
          fields.createdAt,
          fields.updatedAt,
          fields.recencyAt,
        ]);
      }
      expect(right(await store.get('threads', [p.threadId])())!.name).to.equal('renamed');
    } finally {
      right(await store.close()());
      await fs.rm(home, { recursive: true, force: true });
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

/** Thread row fields of thread/read (turns and status are not in the row). */
const readRow = async (home: string, threadId: string) => {
  const {
    turns: _t,
    status: _s,
    ...fields
  } = right(await readThreadByFold(jsonlRolloutStore(home), threadId, false)());
  return fields;
};

const rowFields = (row: ThreadRow) => {
  const { archived: _a, rolloutId: _r, sortMs: _s, fileMtimeMs: _m, ...fields } = row;
  return fields;
};

const recordTyped = (id: string): string[] => [
  JSON.stringify({
    record_type: 'session_meta',
    id,
    timestamp: '2025-09-03T12:00:00.000Z',
    cwd: '/home/dev/app',
    originator: 'codex_cli_rs',
    cli_version: '0.30.0',
    instructions: null,
  }),
  JSON.stringify({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi there' }] }),
  JSON.stringify({ record_type: 'event', id: '0', msg: { type: 'user_message', message: 'hi there', kind: 'plain' } }),
  JSON.stringify({ record_type: 'event', id: '0', msg: { type: 'agent_message', message: 'Hello!' } }),
  JSON.stringify({ record_type: 'state' }),
];

describe('thread rows agree with thread/read in every case (forks, revisions, early rollouts, bad lines)', function () {
  this.timeout(120_000);
  const ROOT = '01a1fe84-0000-7000-8000-000000000001';
  const FORK = '01a1fe84-0000-7000-8000-000000000002';
  const FORK2 = '01a1fe84-0000-7000-8000-000000000003';
  const REV = '01a1fe84-0000-7000-8000-000000000004';
  const OLD = 'bbbbbbbb-0000-4000-8000-000000000001';
  const TYPED = '7d3e9b2a-1c4f-4a8e-9b6d-5f2a1e0c3b47';

  const write = async (home: string, rel: string, text: string) => {
    const p = nodePath.join(home, rel);
    await fs.mkdir(nodePath.dirname(p), { recursive: true });
    await fs.writeFile(p, text);
  };

  it('a fork indexed on its own before its base (by name, or while the backfill reads the base): its row is derived again once the base is indexed', async () => {
    const home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-fb-'));
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-fb-'));
    const store = right(await openLmdbIndex(dir)());
    try {
      const day = 'sessions/2026/11/21';
      const { root, cut1 } = threeTurnRoot(ROOT);
      const rootPath = `${day}/rollout-2026-11-21T14-00-00-${ROOT}.jsonl`;
      await write(home, rootPath, root.text());
      // No user message of its own: its preview is its base's first message.
      const fork = new RolloutWriter('paginated', FORK, {
        startOrdinal: cut1.end_ordinal_exclusive,
        startMs: root.nowMs() + 1000,
      });
      fork.sessionMeta({ forked_from_id: ROOT, history_base: cut1 });
      fork.taskStarted('f1').turnContext('f1', 'other-model').taskComplete('f1');
      const forkPath = `${day}/rollout-2026-11-21T14-01-00-${FORK}.jsonl`;
      await write(home, forkPath, fork.text());
      const fileOf = (rel: string, threadId: string) => ({
        path: nodePath.join(home, rel),
        archived: false,
        fileTimestamp: rel.slice(rel.indexOf('rollout-') + 8, rel.indexOf('rollout-') + 27),
        threadId,
      });
      right(await catchUpHome(store, home, { files: [fileOf(forkPath, FORK)] })());
      expect(right(await store.get('threads', [FORK])())!.preview, 'derived without its base').to.equal('');
      right(await catchUpHome(store, home, { files: [fileOf(rootPath, ROOT)] })());
      expect(rowFields(right(await store.get('threads', [FORK])())!)).to.deep.equal(await readRow(home, FORK));
      expect(right(await store.get('threads', [FORK])())!.preview).to.equal('first');
    } finally {
      right(await store.close()());
      await fs.rm(home, { recursive: true, force: true });
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('every thread row equals thread/read of the whole-history fold; early rollouts take preview and items from response items', async () => {
    const home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-f-'));
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-f-'));
    const store = right(await openLmdbIndex(dir)());
    try {
      const day = 'sessions/2026/11/21';
      const { root, cut1, cutForRevert } = threeTurnRoot(ROOT);
      await write(home, `${day}/rollout-2026-11-21T14-00-00-${ROOT}.jsonl`, root.text());
      // A fork with no user message of its own: its preview comes from the base below the cut.
      const fork = new RolloutWriter('paginated', FORK, {
        startOrdinal: cut1.end_ordinal_exclusive,
        startMs: root.nowMs() + 1000,
      });
      fork.sessionMeta({ forked_from_id: ROOT, history_base: cut1 });
      fork.taskStarted('f1').turnContext('f1', 'other-model').taskComplete('f1');
      await write(home, `${day}/rollout-2026-11-21T14-01-00-${FORK}.jsonl`, fork.text());
      const fork2 = new RolloutWriter('paginated', FORK2, {
        startOrdinal: fork.nextOrdinal(),
        startMs: fork.nowMs() + 1000,
      });
      fork2.sessionMeta({ forked_from_id: FORK, history_base: baseAfter(fork, FORK) });
      await write(home, `${day}/rollout-2026-11-21T14-02-00-${FORK2}.jsonl`, fork2.text());
      const rev = new RolloutWriter('paginated', ROOT, {
        startOrdinal: cutForRevert.end_ordinal_exclusive,
        startMs: fork2.nowMs() + 1000,
      });
      rev.sessionMeta({ history_base: cutForRevert });
      rev.chatTurn('r1', 'after revert', 'RA1');
      await write(
        home,
        `${day}/rollout-2026-11-21T14-03-00-${ROOT}_${REV}.jsonl`,
        rev.text().replace('\n', '\n{"timestamp": broken\n'),
      );
      await write(
        home,
        `${day}/rollout-2025-05-01T10-00-00-${OLD}.jsonl`,
        envelopeLess(OLD, 1, 2)
          .map((l) => l + '\n')
          .join(''),
      );
      await write(
        home,
        `archived_sessions/rollout-2025-09-03T12-00-00-${TYPED}.jsonl`,
        recordTyped(TYPED)
          .map((l) => l + '\n')
          .join(''),
      );
      await fs.writeFile(
        nodePath.join(home, 'session_index.jsonl'),
        `{"id":"${ROOT}","thread_name":"Renamed","updated_at":"y"}\n`,
      );

      const s = right(await catchUpHome(store, home, { batchLines: 5 })());
      expect(s.unreadable).to.deep.equal([]);
      for (const id of [ROOT, FORK, FORK2, OLD, TYPED]) {
        const row = right(await store.get('threads', [id])());
        expect(row, id).to.not.equal(undefined);
        expect(rowFields(row!), id).to.deep.equal(await readRow(home, id));
      }
      expect(right(await store.get('threads', [OLD])())!.preview).to.equal('question 1.0');
      // Early rollouts' turns and items are those of the fold (items from response items).
      for (const id of [OLD, TYPED]) {
        const folded = right(await readThreadByFold(jsonlRolloutStore(home), id, true)());
        const turns = right(await store.range('turns', [id])()).map((r) => r.value);
        const items = right(await store.range('items', [id])()).map((r) => r.value);
        expect(turns.map((t) => t.id)).to.deep.equal(folded.turns.map((t) => t.id));
        expect(turns.map((t) => items.filter((i) => i.turnId === t.id).map((i) => [i.kind, i.id]))).to.deep.equal(
          folded.turns.map((t) => t.items.map((i) => [i.type, i.id])),
        );
      }
    } finally {
      right(await store.close()());
      await fs.rm(home, { recursive: true, force: true });
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('random histories indexed incrementally at random cuts: every thread row equals thread/read (property)', async () => {
    const actions: Action[] = [
      'startTurn',
      'user',
      'agent',
      'reasoning',
      'context',
      'tokens',
      'complete',
      'fail',
      'abort',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ thread: fc.nat(2), action: fc.constantFrom(...actions) }), { maxLength: 30 }),
        fc.array(fc.nat(30), { maxLength: 3 }),
        fc.nat(3),
        fc.integer({ min: 1, max: 4 }),
        async (script, cuts, early, batchLines) => {
          const home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-fp-'));
          const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-fp-'));
          const store = right(await openLmdbIndex(dir)());
          try {
            const threads = [newThread(500, 'paginated'), newThread(501, 'legacy'), newThread(502, 'paginated')];
            const paths = threads.map((t) => nodePath.join(home, rolloutRelPath(t.threadId)));
            for (const [i, t] of threads.entries()) {
              await fs.mkdir(nodePath.dirname(paths[i]!), { recursive: true });
              await fs.writeFile(
                paths[i]!,
                threadLines(t, 0, i === 2 ? { forked_from_id: threads[0]!.threadId } : {})
                  .map((l) => l + '\n')
                  .join(''),
              );
            }
            const oldId = `cccccccc-0000-4000-8000-00000000000${early}`;
            await fs.writeFile(
              nodePath.join(home, `sessions/2026/11/21/rollout-2025-05-01T10-00-00-${oldId}.jsonl`),
              envelopeLess(oldId, early, early)
                .map((l) => l + '\n')
                .join(''),
            );
            for (const [k, st] of script.entries()) {
              if (cuts.includes(k)) right(await catchUpHome(store, home, { batchLines })());
              await fs.appendFile(
                paths[st.thread]!,
                act(threads[st.thread]!, st.action)
                  .map((l) => l + '\n')
                  .join(''),
              );
            }
            right(await catchUpHome(store, home, { batchLines })());
            for (const id of [...threads.map((t) => t.threadId), oldId]) {
              expect(rowFields(right(await store.get('threads', [id])())!), id).to.deep.equal(await readRow(home, id));
            }
          } finally {
            right(await store.close()());
            await fs.rm(home, { recursive: true, force: true });
            await fs.rm(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 20 },
    );
  });
});
