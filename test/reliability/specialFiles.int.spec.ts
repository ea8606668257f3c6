// Issue 68 (finding 9), special files where the engine reads a home's own files: a FIFO at
// `config.toml` froze `serve` (plugin/list read it with a plain, blocking readFile: after six
// calls every libuv pool thread waited on it, and thread/list went unanswered), and a FIFO at
// `session_index.jsonl` (or `config.toml`) made `threads` exit 1. A FIFO, like a link, is refused
// and never waited on; it is not fatal for the home: the threads are listed without names (Codex's
// default provider for a refused config).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { runEngineCli } from '../compat/engineCli.js';
import { openImportServer } from '../compat/externalAgentServe.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { reportArea } from './areaSummary.js';

const THREAD = '01a1fe84-0000-7000-8000-0000000000f1';

const figures = { trials: 0, unanswered: 0, fatal: 0, listed: 0 };

/** The answer, or undefined when none came within the time (a bound on a hang, not a pause deciding the verdict). */
const within = <A>(answer: Promise<A>, ms: number): Promise<A | undefined> =>
  Promise.race([answer, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);

describe('reliability · special files in the home (FIFOs at config.toml, session_index.jsonl)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('rel-special-');
  after(() => reportArea('special files', figures));

  const homeWithFifo = (name: string, fifo: string): string => {
    const home = nodePath.join(tmp(), name);
    writeRollout(home, rolloutName(THREAD), chatThread('paginated', THREAD, 2).text());
    execFileSync('mkfifo', [nodePath.join(home, fifo)]);
    return home;
  };

  it('a FIFO config.toml: six plugin/list calls answer, and thread/list is still answered', async () => {
    const home = homeWithFifo('fifo-config', 'config.toml');
    const server = await openImportServer(home, tmp());
    try {
      figures.trials += 1;
      // Six at once: more than libuv's four pool threads, each of which a blocking open of the FIFO held.
      const lists = Array.from({ length: 6 }, () => within(server.client.request('plugin/list', {}), 15_000));
      const threads = await within(server.ask('thread/list', {}), 15_000);
      if (threads === undefined) figures.unanswered += 1;
      expect(threads, 'thread/list unanswered while config.toml is a FIFO').to.not.equal(undefined);
      expect(threads!.data.map((t) => t.id)).to.deep.equal([THREAD]);
      const answered = await Promise.all(lists);
      figures.unanswered += answered.filter((a) => a === undefined).length;
      for (const a of answered) expect(a, 'a plugin/list call did not answer within 15 s').to.not.equal(undefined);
    } finally {
      await server.client.close();
    }
  });

  for (const fifo of ['session_index.jsonl', 'config.toml']) {
    it(`a FIFO ${fifo}: threads lists the home's threads (exit 0), not waiting on it`, async () => {
      const home = homeWithFifo(`fifo-${fifo}`, fifo);
      figures.trials += 1;
      const r = await runEngineCli(['threads', '--codex-home', home, '--json'], 30_000);
      if (r.timedOut || r.exitCode !== 0) figures.fatal += 1;
      expect(r.timedOut, 'threads hung').to.equal(false);
      expect(r.exitCode, r.stderr).to.equal(0);
      const listed = (JSON.parse(r.stdout) as { data: Array<{ id: string }> }).data.map((t) => t.id);
      figures.listed += listed.length;
      expect(listed).to.deep.equal([THREAD]);
      expect(fs.lstatSync(nodePath.join(home, fifo)).isFIFO(), 'the FIFO is left as it is').to.equal(true);
    });
  }
});
