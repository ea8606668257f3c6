// The home's two append-only logs, `session_index.jsonl` (Codex's names) and the engine's
// `.rollout-engine/thread-state.jsonl`: an append never goes through a second hard link (a file
// outside the home linked in); an append the disk refuses part way (ENOSPC, made for real on a
// tmpfs filled to its last page) leaves no fragment, so the next acknowledged line is never glued
// onto one and lost; and a fragment another writer left (Codex killed mid-write) is ended before
// the next line, every complete line kept, and named by `verify` until then. Lines are counted as
// Codex reads the name log: each line parsed alone, one that does not parse skipped.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { isEngineError, renderError } from '../../domain/errors.js';
import { appendThreadStateEvent, threadStateLogPath } from '../../adapters/driven/jsonl/writers/homeFacts.js';
import { appendThreadName } from '../../adapters/driven/jsonl/writers/sessionIndexWriter.js';
import { sessionIndexLine, sessionIndexPath } from '../../adapters/driven/jsonl/home/sessionIndex.js';
import { verifyIndex } from '../../indexer/verify/verify.js';
import { memoryIndexStore } from '../../projections/memoryStore.js';
import { skipUnmet } from '../fixtures/skipUnmet.js';
import { reportArea } from './areaSummary.js';

const TRIALS = 6;
const threadId = (n: number): string => `dddddddd-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const AT = new Date('2026-11-25T10:00:00.000Z');

type Log = 'session_index.jsonl' | 'thread-state.jsonl';
const LOGS: ReadonlyArray<Log> = ['session_index.jsonl', 'thread-state.jsonl'];
const pathOf = (home: string, log: Log): string =>
  log === 'session_index.jsonl' ? sessionIndexPath(home) : threadStateLogPath(home);

/** One acknowledged line appended to `log` through the engine's writer: its exact text, or the error it was refused with. */
const append = async (home: string, log: Log, n: number, padding = 0): Promise<E.Either<unknown, string>> => {
  const name = `name ${n} ${'x'.repeat(padding)}`;
  if (log === 'session_index.jsonl') {
    const r = await appendThreadName(home, threadId(n), name, AT)();
    return E.isLeft(r) ? E.left(r.left) : E.right(sessionIndexLine(threadId(n), name, AT).slice(0, -1));
  }
  const event = {
    type: 'gitInfo' as const,
    threadId: threadId(n),
    at: AT.toISOString(),
    gitInfo: { sha: null, branch: name, originUrl: null },
  };
  return appendThreadStateEvent(home, event).then(
    () => E.right(JSON.stringify(event)),
    (err: unknown) => E.left(err),
  );
};

/** The lines of a log a reader takes: each line alone, kept when it parses as JSON (Codex skips the others). */
const parsedLines = (path: string): string[] =>
  fs
    .readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => {
      try {
        JSON.parse(line);
        return true;
      } catch {
        return false;
      }
    });

const lostOf = (path: string, acknowledged: ReadonlyArray<string>): number => {
  const present = new Set(parsedLines(path));
  return acknowledged.filter((l) => !present.has(l)).length;
};

/** What verify names as ending mid-line. */
const tornLogsOf = (r: E.Either<unknown, unknown>): unknown =>
  E.isRight(r) ? (r.right as { tornLogs?: unknown }).tornLogs : r.left;

const codeOf = (err: unknown): string | undefined => (err as EngineError & { code?: string }).code;

describe('reliability · appends to session_index.jsonl and thread-state.jsonl', function () {
  this.timeout(120_000);
  const figures = {
    hardLinksRefused: 0,
    outsideFilesChanged: 0,
    enospcTrials: 0,
    enospcRefused: 0,
    enospcPartWay: 0,
    refusedAppendsLeavingBytes: 0,
    acknowledgedLines: 0,
    acknowledgedLinesLost: 0,
    fragmentsEnded: 0,
    tornTailsVerifyNamed: 0,
  };
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-home-logs-'));
  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
    reportArea('home log appends', figures);
  });

  it('a log that is a hard link to a file outside the home is refused, the outside file unchanged', async () => {
    for (const log of LOGS) {
      const home = fs.mkdtempSync(nodePath.join(tmp, 'home-'));
      const outside = nodePath.join(tmp, `outside-${log}`);
      fs.writeFileSync(outside, 'root-owned bytes\n');
      fs.mkdirSync(nodePath.dirname(pathOf(home, log)), { recursive: true });
      fs.linkSync(outside, pathOf(home, log));
      const r = await append(home, log, 1);
      expect(E.isLeft(r), `${log}: appended through a hard link`).to.equal(true);
      const refusal = (r as E.Left<unknown>).left;
      expect(isEngineError(refusal) ? renderError(refusal) : String(refusal)).to.match(/2 hard links/);
      figures.hardLinksRefused++;
      if (fs.readFileSync(outside, 'utf8') !== 'root-owned bytes\n') figures.outsideFilesChanged++;
    }
    expect(figures.outsideFilesChanged).to.equal(0);
  });

  describe('ENOSPC part way through an append (a tmpfs filled to its last page)', () => {
    const mnt = nodePath.join(tmp, 'full');
    let mounted = false;
    before(function () {
      fs.mkdirSync(mnt);
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k,mode=0700', 'tmpfs', mnt], { stdio: 'pipe' });
        mounted = true;
      } catch (err) {
        skipUnmet(this, false, 'root', `to mount a tmpfs: ${(err as Error).message.split('\n')[0]}`);
      }
    });
    after(() => {
      if (mounted) execFileSync('umount', [mnt]);
    });

    /**
     * Fill the file system to its last page, then give one page back (the writer's lock file takes
     * it): the next append fills its log's last page and fails on the page after (ENOSPC part way).
     */
    const fill = (filler: string): void => {
      const fd = fs.openSync(filler, 'w');
      const page = Buffer.alloc(4096, 0x61);
      try {
        for (;;) fs.writeSync(fd, page);
      } catch (err) {
        if ((err as { code?: string }).code !== 'ENOSPC') throw err;
      } finally {
        fs.closeSync(fd);
      }
      const size = fs.statSync(filler).size;
      fs.truncateSync(filler, (Math.ceil(size / 4096) - 1) * 4096);
    };

    for (const log of LOGS) {
      it(`${log}: ${TRIALS} trials, the refused append leaves nothing behind and no acknowledged line is lost`, async () => {
        let lost = 0;
        for (let trial = 0; trial < TRIALS; trial++) {
          const home = fs.mkdtempSync(nodePath.join(mnt, 'home-'));
          const filler = nodePath.join(mnt, 'filler');
          const acknowledged: string[] = [];
          const first = await append(home, log, 3 * trial + 1);
          expect(E.isRight(first), JSON.stringify(first)).to.equal(true);
          acknowledged.push((first as E.Right<string>).right);
          const before = fs.readFileSync(pathOf(home, log));
          // An hour old: a refused append that reached the log (written part way, then cut back) leaves a newer mtime.
          const past = new Date(Date.now() - 3600_000);
          fs.utimesSync(pathOf(home, log), past, past);
          fill(filler);
          // Longer than a page: it fills the log's last page and needs another.
          const refused = await append(home, log, 3 * trial + 2, 6000);
          fs.unlinkSync(filler);
          figures.enospcTrials++;
          expect(E.isLeft(refused), 'an append on a full disk was acknowledged').to.equal(true);
          expect(codeOf((refused as E.Left<unknown>).left)).to.equal('ENOSPC');
          figures.enospcRefused++;
          if (!fs.readFileSync(pathOf(home, log)).equals(before)) figures.refusedAppendsLeavingBytes++;
          if (fs.statSync(pathOf(home, log)).mtimeMs > past.getTime()) figures.enospcPartWay++;
          const next = await append(home, log, 3 * trial + 3);
          expect(E.isRight(next), JSON.stringify(next)).to.equal(true);
          acknowledged.push((next as E.Right<string>).right);
          figures.acknowledgedLines += acknowledged.length;
          lost += lostOf(pathOf(home, log), acknowledged);
          fs.rmSync(home, { recursive: true, force: true });
        }
        figures.acknowledgedLinesLost += lost;
        // Every refusal came part way through the append (it reached the log), never before it (the lock's page, say).
        expect({
          lost,
          refusedAppendsLeavingBytes: figures.refusedAppendsLeavingBytes,
          enospcPartWay: figures.enospcPartWay,
        }).to.deep.equal({
          lost: 0,
          refusedAppendsLeavingBytes: 0,
          enospcPartWay: figures.enospcTrials,
        });
      });
    }
  });

  it('a fragment another writer left is named by verify, then ended before the next line: every complete line kept', async () => {
    for (const log of LOGS) {
      const home = fs.mkdtempSync(nodePath.join(tmp, 'torn-'));
      const path = pathOf(home, log);
      const first = await append(home, log, 7);
      expect(E.isRight(first)).to.equal(true);
      // Codex (or an older engine) killed mid-write: half a line, standing still for a minute.
      const fragment = '{"id":"dddddddd-0000-7000-8000-00000000000f","thread_na';
      fs.appendFileSync(path, fragment);
      const past = new Date(Date.now() - 60_000);
      fs.utimesSync(path, past, past);
      const verified = await verifyIndex(memoryIndexStore(), home)();
      expect(E.isRight(verified), JSON.stringify(verified)).to.equal(true);
      expect(tornLogsOf(verified)).to.deep.equal([path]);
      figures.tornTailsVerifyNamed++;
      const next = await append(home, log, 8);
      expect(E.isRight(next)).to.equal(true);
      const text = fs.readFileSync(path, 'utf8');
      expect(text).to.equal(`${(first as E.Right<string>).right}\n${fragment}\n${(next as E.Right<string>).right}\n`);
      expect(lostOf(path, [(first as E.Right<string>).right, (next as E.Right<string>).right])).to.equal(0);
      figures.fragmentsEnded++;
      const again = await verifyIndex(memoryIndexStore(), home)();
      expect(tornLogsOf(again)).to.deep.equal([]);
    }
  });
});
