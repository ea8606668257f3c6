import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { promisify } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { openIndex } from '../../../../indexer/open/openIndex.js';
import { portsOver } from '../../../../adapters/driving/composition/openCodexHome.js';
import { eventStoreEventLog } from '../../../../adapters/driven/eventstore/eventLog.js';
import { exportHome } from '../../../../adapters/driven/eventstore/exportHome.js';
import { mirrorHome } from '../../../../adapters/driven/eventstore/mirrorHome.js';
import { REPLICA_STATE_FILE, followIntoHome } from '../../../../adapters/driven/eventstore/homeReplica.js';
import { forkThread } from '../../../../replay/mutations/forkThread.js';
import { revertThread } from '../../../../replay/mutations/revertThread.js';
import { rollbackThread } from '../../../../replay/mutations/rollbackThread.js';
import { listThreads } from '../../../../replay/history/listThreads.js';
import { listTurns } from '../../../../replay/history/listTurns.js';
import { materialisedThread, readThread } from '../../../../replay/history/readThread.js';
import { useCase } from '../../../../domain/effect.js';
import { right } from '../../../fixtures/right.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import {
  chatThread,
  openMutationHome,
  rolloutName,
  right as rightTE,
  writeRollout,
} from '../../../replay/mutationHome.js';
import { useConnection, useEventStore } from '../../../eventstore/useEventStore.js';
import { filesOf, indexDump, keepTimesOf } from '../../../eventstore/homeDumps.js';
import { CLI } from '../../../fixtures/cliBundle.js';
import { skipUnmet } from '../../../fixtures/skipUnmet.js';

/** The threads of one test's home (each test its own ids: the test server is shared by the describe). */
const idsOf = (n: number) => ({
  P: `01a1fe87-0000-7000-8000-0000000${n}00a1`,
  L: `01a1fe87-0000-7000-8000-0000000${n}00a2`,
  B: `01a1fe87-0000-7000-8000-0000000${n}00a3`,
  A: `01a1fe87-0000-7000-8000-0000000${n}00a4`,
});

/** A home of both history modes with forks, revisions, a rollback, quarantined lines, a BOM, an archived thread. */
const makeHome = async (home: string, n: number): Promise<void> => {
  const { P, L, B, A } = idsOf(n);
  writeRollout(home, rolloutName(P), chatThread('paginated', P, 4).text());
  writeRollout(home, rolloutName(L), chatThread('legacy', L, 3).text());
  // A BOM before the first line, a line that is not JSON and one that is not UTF-8 in the middle.
  const bom = chatThread('paginated', B, 2).text().split('\n');
  const bad = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(`${bom[0]}\n${bom[1]}\nnot json at all\n`),
    Buffer.from([0x7b, 0xff, 0x7d, 0x0a]),
    Buffer.from(bom.slice(2).join('\n')),
  ]);
  writeRollout(home, rolloutName(B), '');
  fs.writeFileSync(nodePath.join(home, 'sessions/2026/11/21', rolloutName(B)), bad);
  fs.mkdirSync(nodePath.join(home, 'archived_sessions'), { recursive: true });
  fs.writeFileSync(nodePath.join(home, 'archived_sessions', rolloutName(A)), chatThread('paginated', A, 2).text());
  const m = await openMutationHome(home);
  try {
    await rightTE(forkThread(m.ports, { threadId: P }));
    await rightTE(forkThread(m.ports, { threadId: L, lastTurnId: 't2' }));
    await rightTE(revertThread(m.ports, { threadId: P, beforeTurnId: 't3' }));
    await rightTE(rollbackThread(m.ports, { threadId: L, numTurns: 1 }));
  } finally {
    await m.close();
  }
  fs.rmSync(nodePath.join(home, '.rollout-engine'), { recursive: true, force: true });
};

/** What the history API answers on a home: the thread list, and each thread read whole and by turns. */
const historyAnswers = async (home: string, indexDir: string): Promise<string> => {
  const store = right(await openIndex(indexDir, home)()).store;
  try {
    const ports = portsOver(store, home, {}).read;
    const active = right(await listThreads(ports, { limit: 100 })()).page;
    const archived = right(await listThreads(ports, { limit: 100, archived: true })()).page;
    const out: unknown[] = [active, archived];
    for (const t of [...active.data, ...archived.data]) {
      out.push(
        right(
          await useCase(async () =>
            materialisedThread((await rightTE(readThread(ports, { threadId: t.id, includeTurns: true }))).thread),
          )(),
        ),
      );
      out.push(right(await listTurns(ports, { threadId: t.id, itemsView: 'full' })()));
    }
    return JSON.stringify(out).split(home).join('<home>');
  } finally {
    right(await store.close()());
  }
};

describe('mirror JSONL → EventStoreDB → export', function () {
  this.timeout(120_000);
  const tmp = useTempDir('esdb-mirror-');
  const store = useEventStore({ maxAppendSize: 64 * 1024 });
  const connectionOf = useConnection(store);

  it('gives back every rollout file byte for byte; the index and the history API answers equal the files', async function () {
    skipUnmet(
      this,
      store().server !== undefined,
      'the EventStoreDB test server',
      "a real server holds other runs' streams: export needs an empty one",
    );
    const home = nodePath.join(tmp(), 'home');
    await makeHome(home, 1);
    const original = filesOf(home);
    expect([...original.keys()].filter((k) => nodePath.basename(k).includes('_'))).to.have.length(1); // the revision
    expect(original.size).to.equal(8); // 7 rollout files and a superseded mark
    const log = eventStoreEventLog(connectionOf(), { maxAppendBytes: 64 * 1024 });
    const first = right(await mirrorHome(home, connectionOf(), log, { batchLines: 3 })());
    expect(first).to.include({ files: 7, filesChanged: 7, factsWritten: 8 });
    const again = right(await mirrorHome(home, connectionOf(), log)());
    expect(again).to.include({ files: 7, filesChanged: 0, linesWritten: 0, factsWritten: 0 });
    // A file whose last mirrored line was rewritten (same length) is not taken for the one mirrored.
    const rewritten = nodePath.join(tmp(), 'rewritten');
    fs.cpSync(home, rewritten, { recursive: true });
    const lFile = nodePath.join(rewritten, 'sessions/2026/11/21', rolloutName(idsOf(1).L));
    const lLines = fs.readFileSync(lFile, 'utf8').split('\n');
    lLines[lLines.length - 2] = lLines[lLines.length - 2]!.replace('"timestamp":"2026', '"timestamp":"2027');
    fs.writeFileSync(lFile, lLines.join('\n'));
    const refused = await mirrorHome(rewritten, connectionOf(), log)();
    expect(E.isLeft(refused) && refused.left).to.include({ _tag: 'Corrupt', path: lFile });

    const out = nodePath.join(tmp(), 'exported');
    const exported = right(await exportHome(connectionOf(), log, out)());
    expect(exported.files).to.equal(7);
    const back = filesOf(out);
    expect([...back.keys()].sort()).to.deep.equal([...original.keys()].sort());
    for (const [k, bytes] of original) expect(Buffer.compare(back.get(k)!, bytes), k).to.equal(0);
    expect(E.isLeft(await exportHome(connectionOf(), log, out)())).to.equal(true);

    keepTimesOf(home, out);
    const fromFiles = await indexDump(home, nodePath.join(tmp(), 'index-files'));
    const fromStore = await indexDump(out, nodePath.join(tmp(), 'index-store'));
    expect(fromFiles.length).to.be.greaterThan(1000);
    expect(
      fromStore === fromFiles,
      'the index built from the exported files differs from the one built from the home',
    ).to.equal(true);
    expect(await historyAnswers(out, nodePath.join(tmp(), 'index-store'))).to.equal(
      await historyAnswers(home, nodePath.join(tmp(), 'index-files')),
    );
  });

  it('a mirror killed part way resumes and finishes with the same streams as one uninterrupted run; export gives the files back', async function () {
    const server = store().server;
    skipUnmet(this, server !== undefined, 'the EventStoreDB test server', 'the mirror is killed against it');
    if (server === undefined) return;
    const home = nodePath.join(tmp(), 'big');
    // Enough lines that the kill lands part way: 40 threads in batches of a few lines.
    for (let i = 0; i < 40; i++)
      writeRollout(
        home,
        rolloutName(`01a1fe87-0000-7000-8000-${String(i).padStart(12, '0')}`),
        chatThread('paginated', `01a1fe87-0000-7000-8000-${String(i).padStart(12, '0')}`, 6).text(),
      );
    const total = [...filesOf(home).values()].reduce((n, b) => n + b.toString('utf8').split('\n').length - 1, 0);
    const rolloutEvents = (): number => server.all().filter((e) => e.stream.startsWith('rollout-')).length;
    const before = rolloutEvents();
    const child = spawn(
      process.execPath,
      [
        CLI,
        'mirror',
        '--codex-home',
        home,
        '--eventstore',
        store().connectionString,
        '--max-append-bytes',
        '2048',
        '--json',
      ],
      {
        stdio: 'ignore',
      },
    );
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    while (rolloutEvents() - before < total / 3) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    await exited;
    const partial = rolloutEvents() - before;
    expect(partial).to.be.lessThan(total);
    const { stdout } = await promisify(execFile)(process.execPath, [
      CLI,
      'mirror',
      '--codex-home',
      home,
      '--eventstore',
      store().connectionString,
      '--json',
    ]);
    const summary = JSON.parse(stdout) as { files: number; linesWritten: number };
    expect(summary.files).to.equal(40);
    expect(summary.linesWritten).to.equal(total - partial);
    expect(rolloutEvents() - before).to.equal(total);
    const log = eventStoreEventLog(connectionOf());
    for (const [rel, bytes] of filesOf(home)) {
      const stream = `rollout-${nodePath.basename(rel).slice(-42, -6)}`;
      const lines: Buffer[] = [];
      for await (const e of log.readStored(stream)) if (e.kind === 'line') lines.push(e.line.bytes, Buffer.from('\n'));
      expect(Buffer.compare(Buffer.concat(lines), bytes), rel).to.equal(0);
    }
    // `export` gives the same files back (this describe's server holds the first test's streams too).
    const out = nodePath.join(tmp(), 'big-exported');
    const exported = JSON.parse(
      (
        await promisify(execFile)(process.execPath, [
          CLI,
          'export',
          '--eventstore',
          store().connectionString,
          '--out',
          out,
          '--json',
        ])
      ).stdout,
    ) as { files: number };
    const back = filesOf(out);
    expect(exported.files).to.equal(back.size - [...back.keys()].filter((k) => k.endsWith('.superseded')).length);
    for (const [rel, bytes] of filesOf(home)) expect(Buffer.compare(back.get(rel)!, bytes), rel).to.equal(0);
  });
});

describe('a node following EventStoreDB into its own copy', function () {
  this.timeout(120_000);
  const tmp = useTempDir('esdb-follow-');
  // Its own server: the copy is of every rollout stream the server holds.
  const store = useEventStore({ maxAppendSize: 64 * 1024 });
  const connectionOf = useConnection(store);

  it('a node follows the store into its own copy (catch-up subscription): the same files and index; a restart resumes exactly', async function () {
    skipUnmet(
      this,
      store().server !== undefined,
      'the EventStoreDB test server',
      "a real server holds other runs' streams",
    );
    const home = nodePath.join(tmp(), 'followed');
    await makeHome(home, 2);
    const { P } = idsOf(2);
    const log = eventStoreEventLog(connectionOf(), { maxAppendBytes: 64 * 1024 });
    right(await mirrorHome(home, connectionOf(), log)());
    const node = nodePath.join(tmp(), 'node');
    let ready = 0;
    const first = right(
      await followIntoHome(connectionOf(), node, {
        untilCaughtUp: true,
        flushEvery: 7,
        onCaughtUp: () => (ready += 1),
      }),
    );
    expect(ready).to.equal(1);
    expect(first.lines).to.be.greaterThan(100);
    const files = filesOf(home);
    const copy = filesOf(node);
    expect([...copy.keys()].sort()).to.deep.equal([...files.keys()].sort());
    for (const [k, bytes] of files) expect(Buffer.compare(copy.get(k)!, bytes), k).to.equal(0);
    keepTimesOf(home, node);
    const fromFiles = await indexDump(home, nodePath.join(tmp(), 'followed-index-files'));
    expect((await indexDump(node, nodePath.join(tmp(), 'followed-index-node'))) === fromFiles).to.equal(true);

    // New lines in the home, mirrored: the node resumes from its position and reads only them.
    const extra = chatThread('paginated', P, 6).text().split('\n').slice(-4).join('\n');
    writeRollout(home, rolloutName(P), extra, true);
    const mirrored = right(await mirrorHome(home, connectionOf(), log)());
    expect(mirrored).to.include({ linesWritten: 3, factsWritten: 0 });
    const second = right(await followIntoHome(connectionOf(), node, { untilCaughtUp: true }));
    expect(second).to.include({ events: 3, lines: 3, skipped: 0 });
    expect(
      Buffer.compare(
        filesOf(node).get(nodePath.join('sessions/2026/11/21', rolloutName(P)))!,
        filesOf(home).get(nodePath.join('sessions/2026/11/21', rolloutName(P)))!,
      ),
    ).to.equal(0);

    // Killed after writing lines but before its position: every event is delivered again, none written twice.
    fs.rmSync(nodePath.join(node, REPLICA_STATE_FILE));
    const again = right(await followIntoHome(connectionOf(), node, { untilCaughtUp: true }));
    expect(again.lines).to.equal(0);
    expect(again.skipped).to.be.greaterThan(100);
    for (const [k, bytes] of filesOf(home)) expect(Buffer.compare(filesOf(node).get(k)!, bytes), k).to.equal(0);
  });

  it('a live follower whose subscription drops reconnects and goes on from its position', async function () {
    const server = store().server;
    skipUnmet(this, server !== undefined, 'the EventStoreDB test server', 'its subscription is dropped by it');
    if (server === undefined) return;
    const home = nodePath.join(tmp(), 'live');
    const T = '01a1fe87-0000-7000-8000-0000000900a1';
    writeRollout(home, rolloutName(T), chatThread('paginated', T, 2).text());
    const log = eventStoreEventLog(connectionOf());
    right(await mirrorHome(home, connectionOf(), log)());
    const node = nodePath.join(tmp(), 'live-node');
    const abort = new AbortController();
    let caughtUp = 0;
    const following = followIntoHome(connectionOf(), node, {
      signal: abort.signal,
      backoffMs: 5,
      onCaughtUp: () => (caughtUp += 1),
    });
    const copyOf = (): Buffer | undefined => filesOf(node).get(nodePath.join('sessions/2026/11/21', rolloutName(T)));
    const until = async (ok: () => boolean): Promise<void> => {
      for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(ok()).to.equal(true);
    };
    try {
      await until(() => caughtUp === 1);
      expect(server.dropSubscriptions()).to.equal(1);
      writeRollout(home, rolloutName(T), chatThread('paginated', T, 4).text());
      right(await mirrorHome(home, connectionOf(), log)());
      await until(
        () =>
          caughtUp === 2 &&
          Buffer.compare(
            copyOf() ?? Buffer.alloc(0),
            filesOf(home).get(nodePath.join('sessions/2026/11/21', rolloutName(T)))!,
          ) === 0,
      );
    } finally {
      abort.abort();
    }
    const summary = right(await following);
    expect(summary.reconnects).to.equal(1);
    expect(summary.skipped).to.equal(0);
  });
});

describe('mirror → export and a following node: names (session_index.jsonl) and the engine’s thread state', function () {
  this.timeout(120_000);
  const tmp = useTempDir('esdb-names-');
  const store = useEventStore();
  const connectionOf = useConnection(store);

  it('give back session_index.jsonl and the thread-state log byte for byte (less what is not a rename or an event); a re-run writes nothing', async function () {
    skipUnmet(this, store().server !== undefined, 'the EventStoreDB test server', 'export needs an empty store');
    const { P, L } = idsOf(7);
    const home = nodePath.join(tmp(), 'home');
    writeRollout(home, rolloutName(P), chatThread('paginated', P, 2).text());
    writeRollout(home, rolloutName(L), chatThread('legacy', L, 1).text());
    // As Codex writes them (nanoseconds), as the engine writes them, and a line that is no rename.
    const names = [
      `{"id":"${P}","thread_name":"first name","updated_at":"2026-11-21T14:03:07.259262273Z"}\n`,
      `{"id":"${L}","thread_name":"legacy one","updated_at":"2026-11-21T14:04:00.5Z"}\n`,
      'not json\n',
      `{"id":"${P}","thread_name":"renamed","updated_at":"2026-11-21T15:00:00Z"}\n`,
    ];
    fs.writeFileSync(nodePath.join(home, 'session_index.jsonl'), names.join(''));
    const events = [
      {
        type: 'readState',
        threadId: P,
        at: '2026-11-21T15:01:00.000Z',
        readState: { firstUnread: null, revision: 'r1' },
      },
      {
        type: 'gitInfo',
        threadId: L,
        at: '2026-11-21T15:02:00.000Z',
        gitInfo: { sha: null, branch: 'main', originUrl: null },
      },
      {
        type: 'readState',
        threadId: P,
        at: '2026-11-21T15:03:00.000Z',
        readState: { firstUnread: { type: 'threadStart' }, revision: 'r2' },
      },
    ].map((e) => `${JSON.stringify(e)}\n`);
    fs.mkdirSync(nodePath.join(home, '.rollout-engine'), { recursive: true });
    fs.writeFileSync(nodePath.join(home, '.rollout-engine', 'thread-state.jsonl'), events.join(''));

    const log = eventStoreEventLog(connectionOf());
    const first = right(await mirrorHome(home, connectionOf(), log)());
    expect(first).to.include({ files: 2, factsWritten: 2 + 3 + 3, skippedStateLines: 1 });
    expect(right(await mirrorHome(home, connectionOf(), log)())).to.include({ factsWritten: 0, skippedStateLines: 1 });

    const out = nodePath.join(tmp(), 'exported');
    expect(right(await exportHome(connectionOf(), log, out)())).to.include({
      files: 2,
      nameLines: 3,
      threadStateEvents: 3,
    });
    const expectedNames = names.filter((l) => l !== 'not json\n').join('');
    expect(fs.readFileSync(nodePath.join(out, 'session_index.jsonl'), 'utf8')).to.equal(expectedNames);
    expect(fs.readFileSync(nodePath.join(out, '.rollout-engine', 'thread-state.jsonl'), 'utf8')).to.equal(
      events.join(''),
    );

    // A node following the store writes the same two files into its copy.
    const node = nodePath.join(tmp(), 'node');
    right(await followIntoHome(connectionOf(), node, { untilCaughtUp: true }));
    expect(fs.readFileSync(nodePath.join(node, 'session_index.jsonl'), 'utf8')).to.equal(expectedNames);
    expect(fs.readFileSync(nodePath.join(node, '.rollout-engine', 'thread-state.jsonl'), 'utf8')).to.equal(
      events.join(''),
    );
  });
});
