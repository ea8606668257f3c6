// The clock oracle on a home made by hand (a rollout and a state DB row, times chosen to sit on a
// second boundary): what it explains, exactly, and what it leaves for the comparison to show.
import { expect } from 'chai';
import { openSqlite } from '../../adapters/driven/sqlite/sqliteDb.js';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClockOracle, STAMP_GAP_MS, answeredFrom } from './clockOracle.js';
import { useTempDir } from '../fixtures/tempDir.js';

const ID = '01a21222-d141-7a41-9266-1d236a54367f';
const iso = (ms: number): string => new Date(ms).toISOString();
const S = 1795587340; // the rich legacy home's sub-agent: Codex answered 1795587340, ours 1795587341

interface Row {
  readonly createdMs: number;
  readonly updatedMs: number;
  readonly recencyMs: number;
}

describe('clock oracle: one rule for every clock reading the compat suites compare', () => {
  const dirOf = useTempDir('clock-oracle-');
  let homes = 0;

  /** A home with one rollout (lines at `linesMs`, the second one a task_started) and its state DB row, per thread. */
  const homeOf = (
    threads: ReadonlyArray<{ readonly id: string; readonly linesMs: readonly number[]; readonly row: Row }>,
  ): { codexHome: string; paths: string[] } => {
    homes += 1;
    const codexHome = join(dirOf(), `home-${homes}`);
    const dir = join(codexHome, 'sessions', '2026', '11', '25');
    mkdirSync(dir, { recursive: true });
    const db = openSqlite(join(codexHome, 'state_5.sqlite'), { mustExist: false });
    db.exec(
      'CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT, created_at INTEGER, updated_at INTEGER, recency_at INTEGER, created_at_ms INTEGER, updated_at_ms INTEGER, recency_at_ms INTEGER)',
    );
    const sec = (ms: number) => Math.floor(ms / 1000);
    const paths = threads.map(({ id, linesMs, row }) => {
      const path = join(dir, `rollout-2026-11-25T00-00-00-${id}.jsonl`);
      const lines = linesMs.map((ms, i) =>
        JSON.stringify({
          timestamp: iso(ms),
          type: i === 0 ? 'session_meta' : 'event_msg',
          payload: i === 0 ? { id } : { type: i === 1 ? 'task_started' : 'agent_message' },
        }),
      );
      writeFileSync(path, `${lines.join('\n')}\n`);
      db.prepare('INSERT INTO threads VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        id,
        path,
        sec(row.createdMs),
        sec(row.updatedMs),
        sec(row.recencyMs),
        row.createdMs,
        row.updatedMs,
        row.recencyMs,
      );
      return path;
    });
    db.close();
    return { codexHome, paths };
  };
  const home = (linesMs: readonly number[], row: Row): { codexHome: string; path: string } => {
    const { codexHome, paths } = homeOf([{ id: ID, linesMs, row }]);
    return { codexHome, path: paths[0]! };
  };

  // session_meta just after S-1's end, task_started, a line, and the sub-agent's last line just past S.
  const lines = [S * 1000 - 20, S * 1000 + 100, S * 1000 + 950, S * 1000 + 1010];
  const stampedBeforeLastLine: Row = { createdMs: S * 1000 - 45, updatedMs: S * 1000 + 953, recencyMs: S * 1000 + 130 };

  it("explains the rich legacy sub-agent's updatedAt (Codex 1795587340, ours 1795587341): its DB stamp is an earlier line's, the last line never reached the row", () => {
    const { codexHome, path } = home(lines, stampedBeforeLastLine);
    const codex = { id: ID, createdAt: S - 1, updatedAt: S, recencyAt: S };
    const ours = { id: ID, path, createdAt: S - 1, updatedAt: S + 1, recencyAt: S };
    expect(new ClockOracle(codexHome).explained(codex, ours)).to.deep.equal({ ...ours, updatedAt: S });
  });

  it('leaves what it cannot explain: ours not the rule, Codex not its DB, readings further apart than the gap', () => {
    const { codexHome, path } = home(lines, stampedBeforeLastLine);
    const oracle = new ClockOracle(codexHome);
    const codex = { id: ID, createdAt: S - 1, updatedAt: S, recencyAt: S };
    const notTheRule = { id: ID, path, createdAt: S - 1, updatedAt: S + 2, recencyAt: S };
    expect(oracle.explained(codex, notTheRule)).to.deep.equal(notTheRule);
    const notItsDb = { id: ID, path, createdAt: S - 1, updatedAt: S + 1, recencyAt: S };
    expect(oracle.explained({ ...codex, updatedAt: S - 1 }, notItsDb)).to.deep.equal(notItsDb);
    const far = home(lines, { ...stampedBeforeLastLine, createdMs: S * 1000 - 20 - STAMP_GAP_MS - 1 });
    const created = { id: ID, path: far.path, createdAt: S - 1, updatedAt: S + 1, recencyAt: S };
    expect(
      (new ClockOracle(far.codexHome).explained({ ...codex, createdAt: S - 2 }, created) as typeof created).createdAt,
    ).to.equal(S - 1);
  });

  it('explains createdAt across a boundary (the DB stamps it before the session_meta line) and recencyAt after its task_started', () => {
    const early = [S * 1000 + 5, S * 1000 + 999, S * 1000 + 1500];
    const { codexHome, path } = home(early, {
      createdMs: S * 1000 - 10,
      updatedMs: S * 1000 + 1502,
      recencyMs: S * 1000 + 1003,
    });
    const codex = { id: ID, createdAt: S - 1, updatedAt: S + 1, recencyAt: S + 1 };
    const ours = { id: ID, path, createdAt: S, updatedAt: S + 1, recencyAt: S };
    expect(new ClockOracle(codexHome).explained(codex, ours)).to.deep.equal({
      ...ours,
      createdAt: S - 1,
      recencyAt: S + 1,
    });
  });

  it('explains a thread Codex took from the file (its backfill): updatedAt is the mtime second', () => {
    const touched = Date.UTC(2030, 0, 1) + 400;
    const { codexHome, path } = home(lines, { ...stampedBeforeLastLine, updatedMs: touched });
    utimesSync(path, touched / 1000, touched / 1000);
    const t = Math.floor(touched / 1000);
    const ours = { id: ID, path, createdAt: S - 1, updatedAt: S + 1, recencyAt: S };
    expect(new ClockOracle(codexHome).explained({ ...ours, updatedAt: t }, ours)).to.deep.equal({
      ...ours,
      updatedAt: t,
    });
  });

  it('explains cursors by the same arithmetic on each side: an updated_at cursor (ms) and a created_at backwards cursor (second ∓ 1 ms)', () => {
    const { codexHome, path } = home(lines, stampedBeforeLastLine);
    const oracle = new ClockOracle(codexHome);
    const row = { id: ID, path, createdAt: S - 1, updatedAt: S, recencyAt: S };
    const codexPage = { data: [row], nextCursor: `${iso(S * 1000 + 953)}|${ID}`, backwardsCursor: iso(S * 1000 + 954) };
    const ourPage = {
      data: [{ ...row, updatedAt: S + 1 }],
      nextCursor: `${iso(S * 1000 + 1010)}|${ID}`,
      backwardsCursor: iso(S * 1000 + 1011),
    };
    expect(oracle.explained(codexPage, ourPage, 'updated_at')).to.deep.equal(codexPage);
    const offByOne = { ...ourPage, nextCursor: `${iso(S * 1000 + 1011)}|${ID}` };
    expect((oracle.explained(codexPage, offByOne, 'updated_at') as typeof ourPage).nextCursor).to.equal(
      offByOne.nextCursor,
    );
    // createdAt across a boundary: Codex's page starts a second before ours, each cursor 1 ms before its own second.
    const early = home([S * 1000 + 5, ...lines.slice(1)], { ...stampedBeforeLastLine, createdMs: S * 1000 - 10 });
    const codexRow = { id: ID, path: early.path, createdAt: S - 1, updatedAt: S, recencyAt: S };
    const codexCreated = { data: [codexRow], backwardsCursor: iso((S - 1) * 1000 - 1) };
    const ourCreated = { data: [{ ...codexRow, createdAt: S }], backwardsCursor: iso(S * 1000 - 1) };
    expect(new ClockOracle(early.codexHome).explained(codexCreated, ourCreated, 'created_at')).to.deep.equal(
      codexCreated,
    );
    const twoSecondsOff = { ...ourCreated, backwardsCursor: iso((S + 1) * 1000 - 1) };
    expect(
      (new ClockOracle(early.codexHome).explained(codexCreated, twoSecondsOff, 'created_at') as typeof ourCreated)
        .backwardsCursor,
    ).to.equal(twoSecondsOff.backwardsCursor);
  });
  it("explains a file-scan thread/list's updatedAt by the listed file's mtime (items-legacy: Codex 1795623485, ours 1795623486): the kernel's coarse clock stamped it 4 ms before the last line, across a second", () => {
    // The last line just past S + 1; its row stamped 1 ms after it; the file's mtime 4 ms before it (measured: up to 6.5 ms).
    const last = [S * 1000 - 20, S * 1000 + 100, S * 1000 + 950, (S + 1) * 1000 + 2];
    const { codexHome, path } = home(last, { ...stampedBeforeLastLine, updatedMs: (S + 1) * 1000 + 3 });
    const mtime = (S + 1) * 1000 - 2;
    utimesSync(path, mtime / 1000, mtime / 1000);
    const ours = { id: ID, path, createdAt: S - 1, updatedAt: S + 1, recencyAt: S };
    const page = (t: typeof ours) => ({ data: [t], nextCursor: null });
    const listed = page({ ...ours, updatedAt: S });
    expect(answeredFrom('thread/list', {}), 'a list without useStateDbOnly or searchTerm').to.equal('fileScan');
    expect(answeredFrom('thread/list', { useStateDbOnly: true })).to.equal('stateDb');
    expect(answeredFrom('thread/list', { searchTerm: 'x' })).to.equal('stateDb');
    expect(answeredFrom('thread/list', { parentThreadId: 'p' }), "a thread's sub-agents: its spawn edges").to.equal(
      'stateDb',
    );
    expect(answeredFrom('thread/list', { ancestorThreadId: 'p' })).to.equal('stateDb');
    expect(answeredFrom('thread/list', { sortKey: 'recency_at' }), 'a list by recency').to.equal('stateDb');
    const allKinds = ['cli', 'vscode', 'exec', 'subAgent'];
    expect(
      answeredFrom('thread/list', { modelProviders: [], sourceKinds: allKinds }),
      'a list filtered by no metadata: its state DB rows',
    ).to.equal('stateDb');
    expect(
      answeredFrom('thread/list', { modelProviders: [] }),
      'every provider, interactive sources: its file scan',
    ).to.equal('fileScan');
    expect(
      answeredFrom('thread/list', { modelProviders: [], sourceKinds: allKinds, cwd: '/w' }),
      'a cwd filter',
    ).to.equal('fileScan');
    expect(answeredFrom('thread/read', {})).to.equal('stateDb');
    expect(new ClockOracle(codexHome).explained(listed, page(ours), undefined, 'fileScan')).to.deep.equal(listed);
    // The row holds S + 1: as a state-DB answer, Codex's S is not its reading.
    const asRow = new ClockOracle(codexHome);
    expect(asRow.explained(listed, page(ours))).to.deep.equal(page(ours));
    expect(asRow.unexplained).to.have.length(1);
    // Nor is a file-scan value other than the mtime's second.
    expect(
      new ClockOracle(codexHome).explained(page({ ...ours, updatedAt: S - 1 }), page(ours), undefined, 'fileScan'),
    ).to.deep.equal(page(ours));
  });

  it("explains a created_at backwards cursor whose reading sits at its second's start (tool-legacy, created_at asc: Codex's cursor a second before ours): the move that fits both sides", () => {
    // The row's created_at 1 ms before S, the session_meta 1 ms after: each side's cursor is its own second + 1 ms.
    const { codexHome, path } = home([S * 1000 + 1, ...lines.slice(1)], {
      ...stampedBeforeLastLine,
      createdMs: S * 1000 - 1,
    });
    const row = { id: ID, path, createdAt: S - 1, updatedAt: S, recencyAt: S };
    const codexPage = { data: [row], nextCursor: null, backwardsCursor: iso((S - 1) * 1000 + 1) };
    // Ours, S.001: the reading itself unmoved, or its second moved by + 1, as Codex's is.
    const ourPage = { data: [{ ...row, createdAt: S }], nextCursor: null, backwardsCursor: iso(S * 1000 + 1) };
    expect(new ClockOracle(codexHome).explained(codexPage, ourPage, 'created_at')).to.deep.equal(codexPage);
    // No common move: left.
    const moved = { ...ourPage, backwardsCursor: iso(S * 1000 + 3) };
    expect(
      (new ClockOracle(codexHome).explained(codexPage, moved, 'created_at') as typeof ourPage).backwardsCursor,
    ).to.equal(moved.backwardsCursor);
  });
  it("finds the thread whose two readings lie across a page's cursors (the clean-clone flake of thread/search's back pages)", () => {
    // Codex's row at S.000, our session_meta at S.012: back ascending from S.001 (each server's cursor) Codex lists nothing, ours the thread.
    const t = [S * 1000 + 12, S * 1000 + 100, S * 1000 + 950];
    const { codexHome } = home(t, { createdMs: S * 1000, updatedMs: S * 1000 + 950, recencyMs: S * 1000 + 100 });
    const oracle = new ClockOracle(codexHome);
    expect(oracle.straddlingCursor('created_at', S * 1000 + 1, S * 1000 + 1, 'asc')).to.deep.equal([ID]);
    expect(oracle.straddlingCursor(undefined, S * 1000 + 1, S * 1000 + 1, 'desc')).to.deep.equal([ID]);
    // Both readings on one side: nothing to set aside.
    expect(oracle.straddlingCursor('created_at', S * 1000 - 1, S * 1000 - 1, 'asc')).to.deep.equal([]);
    expect(oracle.straddlingCursor('updated_at', S * 1000 + 949, S * 1000 + 949, 'asc')).to.deep.equal([]);
    // Each server's own cursor: a reading 1 ms past each is on both pages.
    expect(oracle.straddlingCursor('created_at', S * 1000 - 1, S * 1000 + 11, 'asc')).to.deep.equal([]);
  });
  it("finds the thread a next cursor's id passes at its exact time on one side only (ci2's flake of thread/search fork-paginated: Codex's row at …30.000, the session_meta later)", () => {
    // Codex's row at S.000, our session_meta at S.012; thread/search's next cursor `S|<id>` (its first row's second and id).
    const t = [S * 1000 + 12, S * 1000 + 100, S * 1000 + 950];
    const { codexHome } = home(t, { createdMs: S * 1000, updatedMs: S * 1000 + 950, recencyMs: S * 1000 + 100 });
    const oracle = new ClockOracle(codexHome);
    const after = '01a21222-d141-7a41-9266-ffffffffffff';
    const before = '01a21222-d141-7a41-9266-000000000000';
    // Descending past `S|<a later id>`: Codex lists the thread (a tie, its id before the cursor's), ours not (S.012 is not before S.000).
    expect(
      oracle.straddlingCursor('created_at', S * 1000, S * 1000, 'desc', { codex: after, ours: after }),
    ).to.deep.equal([ID]);
    // The time alone (a backwards cursor) does not see it: the tie is the id's.
    expect(oracle.straddlingCursor('created_at', S * 1000, S * 1000, 'desc')).to.deep.equal([]);
    // Ascending past `S|<an earlier id>`: both list it (Codex by the tie, ours by the time).
    expect(
      oracle.straddlingCursor('created_at', S * 1000, S * 1000, 'asc', { codex: before, ours: before }),
    ).to.deep.equal([]);
    // Descending past `S|<an earlier id>`: neither lists it.
    expect(
      oracle.straddlingCursor('created_at', S * 1000, S * 1000, 'desc', { codex: before, ours: before }),
    ).to.deep.equal([]);
  });
  describe('two threads 5 ms apart whose DB readings run the other way from their lines (a useStateDbOnly walk, limit 1)', () => {
    // A: row S.005, session_meta S.030 (Codex's reading 25 ms before the line); B: row S.020, session_meta S.025.
    // Codex lists A then B, ours B then A; the first page's next cursors: Codex's S.005, ours S.025.
    const A = '01a21222-d141-7a41-9266-00000000000a';
    const B = '01a21222-d141-7a41-9266-00000000000b';
    const twoThreads = () =>
      homeOf([
        {
          id: A,
          linesMs: [S * 1000 + 30, S * 1000 + 100],
          row: { createdMs: S * 1000 + 5, updatedMs: S * 1000 + 100, recencyMs: S * 1000 + 100 },
        },
        {
          id: B,
          linesMs: [S * 1000 + 25, S * 1000 + 90],
          row: { createdMs: S * 1000 + 20, updatedMs: S * 1000 + 90, recencyMs: S * 1000 + 90 },
        },
      ]);

    it('both lie across the next cursors: the pages they lead to are set aside', () => {
      const oracle = new ClockOracle(twoThreads().codexHome);
      expect(oracle.straddlingCursor('created_at', S * 1000 + 5, S * 1000 + 25, 'asc')).to.have.members([A, B]);
      // Past both threads on each side (each server's cursor at its second thread): nothing across.
      expect(oracle.straddlingCursor('created_at', S * 1000 + 20, S * 1000 + 30, 'asc')).to.deep.equal([]);
      // Descending, limit 1: Codex's first row B (cursor S.020), ours A (S.030): the next pages hold A on Codex, B on ours.
      expect(oracle.straddlingCursor('created_at', S * 1000 + 20, S * 1000 + 30, 'desc')).to.have.members([A, B]);
    });

    it("explains a reordered page's cursors each by its own server's rows (the clean-clone flake of rich-paginated's updated_at walk)", () => {
      const { codexHome, paths } = twoThreads();
      const oracle = new ClockOracle(codexHome);
      const [a, b] = [A, B].map((id, i) => ({ id, path: paths[i], createdAt: S, updatedAt: S, recencyAt: S }));
      // Ascending, limit 2: Codex lists A (S.005) then B (S.020), ours B (S.025) then A (S.030); ours compared in the DB's order.
      const codexPage = { data: [a, b], nextCursor: `${iso(S * 1000 + 20)}|${B}`, backwardsCursor: iso(S * 1000 + 6) };
      const ourPage = { data: [a, b], nextCursor: `${iso(S * 1000 + 30)}|${A}`, backwardsCursor: iso(S * 1000 + 26) };
      expect(oracle.explained(codexPage, ourPage, 'created_at', 'stateDb', [B, A])).to.deep.equal(codexPage);
      // Not said to be reordered, a cursor naming another row, or a reading of ours moved by another amount: left to show.
      expect(oracle.explained(codexPage, ourPage, 'created_at')).to.deep.equal(ourPage);
      const elsewhere = { ...ourPage, nextCursor: `${iso(S * 1000 + 30)}|01a21222-d141-7a41-9266-00000000000c` };
      expect(
        (oracle.explained(codexPage, elsewhere, 'created_at', 'stateDb', [B, A]) as typeof ourPage).nextCursor,
      ).to.equal(elsewhere.nextCursor);
      const moved = { ...ourPage, backwardsCursor: iso(S * 1000 + 24) };
      expect(
        (oracle.explained(codexPage, moved, 'created_at', 'stateDb', [B, A]) as typeof ourPage).backwardsCursor,
      ).to.equal(moved.backwardsCursor);
    });

    it("puts our page in the DB's order only when ours is in our rule's order", () => {
      const { codexHome, paths } = twoThreads();
      const oracle = new ClockOracle(codexHome);
      const [a, b] = [
        { id: A, path: paths[0] },
        { id: B, path: paths[1] },
      ];
      expect(oracle.inStateDbOrder([b, a], 'created_at', 'asc')).to.deep.equal([a, b]);
      expect(oracle.inStateDbOrder([a, b], 'created_at', 'desc')).to.deep.equal([b, a]);
      // Already the DB's order, or not our rule's: nothing to do / a fault of ours, left to show.
      expect(oracle.inStateDbOrder([a, b], 'created_at', 'asc')).to.equal(undefined);
      expect(oracle.inStateDbOrder([b, a], 'created_at', 'desc')).to.equal(undefined);
      expect(oracle.inStateDbOrder([a, { id: 'no-such-thread' }], 'created_at', 'asc')).to.equal(undefined);
    });
  });
  describe("a fork's row, one reading 1 ms after the lines it copies, beside its source's row stamped 1 ms later (the CI of stop 91's head: rich-legacy's phases and phases-fork)", () => {
    // Source A: its last line at T - 1, its row T + 1 (a later stamp). Fork B: every line at T - 1,
    // its row T as both times, which ours answers (a row taken as one reading). Ours ascending:
    // A (T - 1), B (T); Codex: B (T), A (T + 1).
    const T = S * 1000 + 303;
    const A = '01a22821-6e6c-7232-b53b-d46a0ee844ed';
    const B = '01a22821-7226-7df1-957d-fb36772abce1';
    type Thread = { id: string; path: string | undefined; createdAt: number; updatedAt: number; recencyAt: number };
    const sourceAndFork = () =>
      homeOf([
        {
          id: A,
          linesMs: [T - 900, T - 200, T - 1],
          row: { createdMs: T - 910, updatedMs: T + 1, recencyMs: T - 190 },
        },
        { id: B, linesMs: [T - 1, T - 1, T - 1], row: { createdMs: T, updatedMs: T, recencyMs: T } },
      ]);

    it("puts our page in the DB's order and explains each side's cursor by its own reading: the fork's the row's", () => {
      const { codexHome, paths } = sourceAndFork();
      const oracle = new ClockOracle(codexHome);
      const [a, b] = [A, B].map((id, i) => ({ id, path: paths[i], createdAt: S, updatedAt: S, recencyAt: S })) as [
        Thread,
        Thread,
      ];
      expect(oracle.inStateDbOrder([a, b], 'updated_at', 'asc')).to.deep.equal([b, a]);
      const codexAsc = { data: [b, a], nextCursor: `${iso(T + 1)}|${A}`, backwardsCursor: iso(T + 1) };
      const ourAsc = { data: [b, a], nextCursor: `${iso(T)}|${B}`, backwardsCursor: iso(T) };
      expect(oracle.explained(codexAsc, ourAsc, 'updated_at', 'stateDb', [A, B])).to.deep.equal(codexAsc);
      // Descending: Codex's first row A (T + 1), ours B (T); each backwards cursor 1 ms before its own.
      expect(oracle.inStateDbOrder([b, a], 'updated_at', 'desc')).to.deep.equal([a, b]);
      const codexDesc = { data: [a, b], nextCursor: `${iso(T)}|${B}`, backwardsCursor: iso(T) };
      const ourDesc = { data: [a, b], nextCursor: `${iso(T - 1)}|${A}`, backwardsCursor: iso(T - 1) };
      expect(oracle.explained(codexDesc, ourDesc, 'updated_at', 'stateDb', [B, A])).to.deep.equal(codexDesc);
      expect(oracle.unexplained).to.deep.equal([]);
    });

    it("leaves a cursor of ours at the fork's lines (not the row ours answers) to show", () => {
      const { codexHome, paths } = sourceAndFork();
      const oracle = new ClockOracle(codexHome);
      const [a, b] = [A, B].map((id, i) => ({ id, path: paths[i], createdAt: S, updatedAt: S, recencyAt: S }));
      const codexAsc = { data: [b, a], nextCursor: `${iso(T + 1)}|${A}`, backwardsCursor: iso(T + 1) };
      const atLines = { data: [b, a], nextCursor: `${iso(T - 1)}|${B}`, backwardsCursor: iso(T) };
      expect(
        (oracle.explained(codexAsc, atLines, 'updated_at', 'stateDb', [A, B]) as typeof atLines).nextCursor,
      ).to.equal(atLines.nextCursor);
    });
  });
});
