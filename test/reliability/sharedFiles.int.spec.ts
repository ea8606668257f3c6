// Codex's shared files under thread/delete: `session_index.jsonl` is rewritten without the deleted
// thread's lines while another `serve` renames threads and a Codex-style writer appends (O_APPEND
// + fsync, without our lock) — no acknowledged line may be lost; twelve deletes at once in one
// `serve` all succeed; a delete racing a fork or a rollback of the same thread on another process
// has one true outcome (never a fork of a deleted file, never an orphan revision); the file keeps
// Codex's mode whatever the umask, and its existing mode when rewritten.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { ENGINE_CLI_PATH } from '../compat/engineCli.js';
import { chatThread, dayDir, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { reportArea } from './areaSummary.js';
import { filesOf, openServe, sessionIndexNames } from './sharedHome.js';
import { skipUnmet } from '../fixtures/skipUnmet.js';
import { stderrJson } from '../fixtures/stderrJson.js';

const TRIALS = Number(process.env['SHARED_FILE_TRIALS'] ?? 40);
const threadIdOf = (race: number, trial: number): string =>
  `dddddddd-0000-7000-8000-${race.toString(16).padStart(4, '0')}${trial.toString(16).padStart(8, '0')}`;

type Answer = { readonly result?: any; readonly error?: { readonly code: number; readonly message: string } };
const ok = (a: RpcAnswer): boolean => (a as Answer).result !== undefined;

/** A Codex-like line, appended as Codex appends it (its own process, O_APPEND, one write, fsync, no lock of ours). */
export const codexLine = (id: string, name: string): string =>
  `${JSON.stringify({ id, thread_name: name, updated_at: new Date().toISOString() })}\n`;

/**
 * A process appending rename lines of `threadId` (`codex-0`, `codex-1`, …) to session_index.jsonl
 * as Codex does, until `stop` exists; it prints how many it appended (each acknowledged by its fsync).
 */
export const codexStyleAppender = (
  home: string,
  threadId: string,
  stop: string,
): { readonly appended: Promise<number> } => {
  const script = `
    const fs = require('node:fs');
    const [path, id, stop] = process.argv.slice(1);
    let n = 0;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (!fs.existsSync(stop)) {
      const fd = fs.openSync(path, 'a');
      fs.writeSync(fd, JSON.stringify({ id, thread_name: 'codex-' + n, updated_at: new Date().toISOString() }) + '\\n');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      n++;
      Atomics.wait(pause, 0, 0, 1);
    }
    process.stdout.write(String(n));
  `;
  const child = spawn(process.execPath, ['-e', script, nodePath.join(home, 'session_index.jsonl'), threadId, stop], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c: string) => (out += c));
  return { appended: new Promise((resolve) => child.once('exit', () => resolve(Number(out)))) };
};

describe('reliability · thread/delete and the shared files (two serve processes, a Codex-style appender)', function () {
  this.timeout(600_000);
  let home: string;
  let a: StdioRpcClient;
  let b: StdioRpcClient;
  const figures = {
    trials: 0,
    acknowledgedRenames: 0,
    lostRenames: 0,
    codexAppends: 0,
    lostCodexAppends: 0,
    concurrentDeletes: 0,
    failedDeletes: 0,
    namesLeft: 0,
    bothAcknowledged: 0,
    emptyForks: 0,
    rollbacksThenDeleted: 0,
    orphanRevisions: 0,
    wrongModes: 0,
    plantedLinks: 0,
    escapes: 0,
    leftoversSwept: 0,
  };

  before(async () => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-shared-'));
    fs.mkdirSync(dayDir(home), { recursive: true });
    [a, b] = await Promise.all([openServe(home), openServe(home)]);
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    fs.rmSync(home, { recursive: true, force: true });
    reportArea('shared files (thread/delete ‖ rename, Codex appends, fork, rollback; twelve deletes; modes)', figures);
  });

  it(`thread/delete ‖ thread/name/set on another serve ‖ a Codex-style appender: every acknowledged line stays (${TRIALS} trials)`, async () => {
    const renamed = threadIdOf(1, 0);
    const codexThread = threadIdOf(1, 1);
    writeRollout(home, rolloutName(renamed), chatThread('paginated', renamed, 1).text());
    const stop = nodePath.join(home, 'stop-appender');
    const appender = codexStyleAppender(home, codexThread, stop);
    const acknowledged: string[] = [];
    const deleted: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const doomed = threadIdOf(2, trial);
      writeRollout(home, rolloutName(doomed), chatThread('paginated', doomed, 1).text());
      fs.appendFileSync(nodePath.join(home, 'session_index.jsonl'), codexLine(doomed, `doomed ${trial}`));
      const renames = (async () => {
        for (let k = 0; k < 3; k++) {
          const name = `r ${trial} ${k}`;
          if (ok(await b.request('thread/name/set', { threadId: renamed, name }))) acknowledged.push(name);
        }
      })();
      const [del] = await Promise.all([a.request('thread/delete', { threadId: doomed }), renames]);
      if (ok(del)) deleted.push(doomed);
      figures.trials++;
    }
    fs.writeFileSync(stop, '');
    const appended = await appender.appended;
    const names = sessionIndexNames(home);
    const present = new Set(names.map((n) => `${n.id} ${n.name}`));
    const lostRenames = acknowledged.filter((n) => !present.has(`${renamed} ${n}`));
    let lostCodex = 0;
    for (let n = 0; n < appended; n++) if (!present.has(`${codexThread} codex-${n}`)) lostCodex++;
    const left = deleted.filter((id) => names.some((n) => n.id === id));
    figures.acknowledgedRenames += acknowledged.length;
    figures.lostRenames += lostRenames.length;
    figures.codexAppends += appended;
    figures.lostCodexAppends += lostCodex;
    figures.namesLeft += left.length;
    expect(deleted.length, 'every delete answered').to.equal(TRIALS);
    expect(lostRenames, 'acknowledged renames lost').to.deep.equal([]);
    expect(lostCodex, `Codex-style appends lost (of ${appended})`).to.equal(0);
    expect(left, 'deleted threads still named').to.deep.equal([]);
  });

  it('twelve thread/delete at once in one serve: all succeed, every name gone (3 trials)', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const ids = Array.from({ length: 12 }, (_, i) => threadIdOf(3, trial * 100 + i));
      for (const id of ids) {
        writeRollout(home, rolloutName(id), chatThread('paginated', id, 1).text());
        fs.appendFileSync(nodePath.join(home, 'session_index.jsonl'), codexLine(id, `twelve ${id}`));
      }
      const answers = await Promise.all(ids.map((threadId) => a.request('thread/delete', { threadId })));
      figures.concurrentDeletes += ids.length;
      const failed = answers.filter((x) => !ok(x));
      figures.failedDeletes += failed.length;
      const left = sessionIndexNames(home).filter((n) => ids.includes(n.id));
      figures.namesLeft += left.length;
      expect(failed, JSON.stringify(failed.slice(0, 2))).to.deep.equal([]);
      expect(left).to.deep.equal([]);
      expect(ids.flatMap((id) => filesOf(home, id))).to.deep.equal([]);
    }
  });

  it(`thread/delete ‖ thread/fork on two serve processes: never both acknowledged, never a fork of a deleted file (${TRIALS} trials)`, async () => {
    const wrong: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const id = threadIdOf(4, trial);
      writeRollout(home, rolloutName(id), chatThread('paginated', id, 3).text());
      const [del, fork] = await Promise.all([
        a.request('thread/delete', { threadId: id }),
        b.request('thread/fork', { threadId: id }),
      ]);
      figures.trials++;
      if (ok(del) && ok(fork)) {
        figures.bothAcknowledged++;
        wrong.push(`trial ${trial}: delete and fork both acknowledged`);
      }
      if (ok(fork)) {
        const forkId = (fork as Answer).result.thread.id as string;
        const read = (await a.request('thread/read', { threadId: forkId, includeTurns: true })) as Answer;
        const turns = (read.result?.thread?.turns as unknown[] | undefined)?.length ?? 0;
        if (turns !== 3) {
          figures.emptyForks++;
          wrong.push(`trial ${trial}: the fork reads ${turns} turns`);
        }
      }
      if (ok(del) && filesOf(home, id).length > 0)
        wrong.push(`trial ${trial}: deleted, yet ${filesOf(home, id).join(' ')} left`);
    }
    expect(wrong, wrong.slice(0, 5).join('\n')).to.deep.equal([]);
  });

  it(`thread/delete ‖ thread/rollback on two serve processes: a deleted thread leaves no revision a read still serves (${TRIALS} trials)`, async () => {
    const wrong: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const id = threadIdOf(5, trial);
      writeRollout(home, rolloutName(id), chatThread('paginated', id, 3).text());
      const [del, rollback] = await Promise.all([
        a.request('thread/delete', { threadId: id }),
        b.request('thread/rollback', { threadId: id, numTurns: 1 }),
      ]);
      figures.trials++;
      if (ok(del) && ok(rollback)) figures.rollbacksThenDeleted++;
      if (!ok(del)) continue;
      const left = filesOf(home, id);
      const reads = await Promise.all(
        [a, b].map((s) => s.request('thread/read', { threadId: id, includeTurns: true })),
      );
      if (left.length > 0 || reads.some(ok)) {
        figures.orphanRevisions++;
        wrong.push(
          `trial ${trial}: deleted (rollback ${ok(rollback) ? 'acknowledged' : 'refused'}), yet files ${left.join(' ')}; read ${reads.map((r) => (ok(r) ? 'served' : 'refused')).join('/')}`,
        );
      }
    }
    expect(wrong, wrong.slice(0, 5).join('\n')).to.deep.equal([]);
  });

  it("session_index.jsonl: created with Codex's 0644 under umask 000, and a rewrite keeps the mode it has", () => {
    const modeHome = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-shared-modes-'));
    try {
      const one = threadIdOf(6, 0);
      const two = threadIdOf(6, 1);
      writeRollout(modeHome, rolloutName(one), chatThread('paginated', one, 1).text());
      writeRollout(modeHome, rolloutName(two), chatThread('paginated', two, 1).text());
      const cli = (...args: string[]) =>
        execFileSync(
          'sh',
          ['-c', 'umask 000; exec "$@"', 'sh', process.execPath, ENGINE_CLI_PATH, ...args, '--codex-home', modeHome],
          { stdio: 'pipe' },
        );
      const path = nodePath.join(modeHome, 'session_index.jsonl');
      cli('name', one, 'first');
      cli('name', two, 'second');
      const created = fs.statSync(path).mode & 0o777;
      fs.chmodSync(path, 0o600);
      cli('delete', two);
      const rewritten = fs.statSync(path).mode & 0o777;
      if (created !== 0o644) figures.wrongModes++;
      if (rewritten !== 0o600) figures.wrongModes++;
      expect(created.toString(8), 'created').to.equal('644');
      expect(rewritten.toString(8), 'rewritten').to.equal('600');
      expect(sessionIndexNames(modeHome)).to.deep.equal([{ id: one, name: 'first' }]);
    } finally {
      fs.rmSync(modeHome, { recursive: true, force: true });
    }
  });

  it('as root on a home owned by another user: links planted at session_index.jsonl and at its lock are never followed (nothing outside created, changed or chmodded)', function () {
    skipUnmet(this, process.getuid?.() === 0, 'root', 'a home owned by another user, as the issue found it');
    const base = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-shared-links-'));
    try {
      const outside = nodePath.join(base, 'outside');
      fs.mkdirSync(outside);
      const id = threadIdOf(7, 0);
      /** Files outside the home, one per planted link: root-owned, 0600, a line naming the thread (a rewrite would drop it) and a secret. */
      const victims = ['names', 'lock'].map((kind) => {
        const path = nodePath.join(outside, kind);
        fs.writeFileSync(path, `${JSON.stringify({ id, thread_name: 'outside' })}\nsecret ${kind}\n`, { mode: 0o600 });
        return path;
      });
      const snapshot = (): string =>
        JSON.stringify(
          fs.readdirSync(outside).map((f) => {
            const st = fs.lstatSync(nodePath.join(outside, f));
            return [f, st.mode, st.uid, st.size, st.mtimeMs, fs.readFileSync(nodePath.join(outside, f), 'utf8')];
          }),
        );
      const before = snapshot();
      const escapes: string[] = [];
      for (const planted of ['session_index.jsonl', 'session_index.jsonl.lock']) {
        const home = nodePath.join(base, `home-${planted}`);
        writeRollout(home, rolloutName(id), chatThread('paginated', id, 1).text());
        if (planted === 'session_index.jsonl.lock')
          fs.writeFileSync(nodePath.join(home, 'session_index.jsonl'), codexLine(id, 'inside'));
        const link = nodePath.join(home, planted);
        fs.symlinkSync(planted === 'session_index.jsonl' ? victims[0]! : victims[1]!, link);
        figures.plantedLinks++;
        execFileSync('chown', ['-hR', '12345:12345', home]);
        // The documented refusal (docs/durability.md): exit 1, one typed error on stderr, an `Io`
        // error with code ELOOP naming the link. Anything else (a crash, a signal, another error,
        // an answer) fails here; what happened outside is checked after.
        const refused = (...args: string[]): void => {
          const r = spawnSync(process.execPath, [ENGINE_CLI_PATH, ...args, '--codex-home', home, '--json'], {
            encoding: 'utf8',
          });
          const said = `${args[0]} with a link at ${planted} → exit ${r.status} ${r.signal ?? ''}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
          expect(r.error, said).to.equal(undefined);
          expect(r.signal, said).to.equal(null);
          expect(r.status, said).to.equal(1);
          expect(r.stdout, said).to.equal('');
          const error = (stderrJson(r.stderr) as { error: Record<string, unknown> }).error;
          expect(error, said).to.deep.include({ tag: 'Io', code: 'ELOOP', exitCode: 1, path: link });
          expect(error['message'], said).to.equal(
            `${link} is a symbolic link: refused (the engine opens its own files only as regular files, never through a link)`,
          );
        };
        refused('name', id, 'renamed by root');
        refused('delete', id);
        const copies = fs
          .readdirSync(home, { recursive: true, encoding: 'utf8' })
          .filter(
            (f) =>
              fs.lstatSync(nodePath.join(home, f)).isFile() &&
              fs.readFileSync(nodePath.join(home, f), 'utf8').includes('secret'),
          );
        if (copies.length > 0) escapes.push(`${planted}: the outside file copied into the home (${copies.join(' ')})`);
      }
      if (snapshot() !== before) escapes.push(`outside changed: ${snapshot()} (before: ${before})`);
      figures.escapes += escapes.length;
      expect(escapes).to.deep.equal([]);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  it("a killed rewrite's temp file and lock beside session_index.jsonl are swept by the next index (other files of the home kept)", async () => {
    const sweepHome = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-shared-sweep-'));
    try {
      const id = threadIdOf(8, 0);
      writeRollout(sweepHome, rolloutName(id), chatThread('paginated', id, 1).text());
      // A pid that runs nowhere: the writer was killed (its temp file's name says whose it is).
      const deadPid = 4_194_000;
      const left = [`.session_index.jsonl.${deadPid}-0badcafe.tmp`, 'session_index.jsonl.lock'];
      fs.writeFileSync(nodePath.join(sweepHome, left[0]!), codexLine(id, 'half'));
      fs.writeFileSync(
        nodePath.join(sweepHome, left[1]!),
        JSON.stringify({ pid: deadPid, host: os.hostname(), token: 'x', acquiredAt: new Date(0).toISOString() }),
      );
      const others = ['other.lock', `.other.${deadPid}-0badcafe.tmp`];
      for (const o of others) fs.writeFileSync(nodePath.join(sweepHome, o), 'not ours');
      execFileSync(process.execPath, [ENGINE_CLI_PATH, 'index', '--codex-home', sweepHome], { stdio: 'pipe' });
      const remaining = fs.readdirSync(sweepHome);
      figures.leftoversSwept += left.filter((f) => !remaining.includes(f)).length;
      expect(remaining.filter((f) => left.includes(f))).to.deep.equal([]);
      expect(others.filter((f) => remaining.includes(f))).to.deep.equal(others);
    } finally {
      fs.rmSync(sweepHome, { recursive: true, force: true });
    }
  });
});
