import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { runCli } from './cliRun.js';

const A = '01a1fe86-0000-7000-8000-0000000000a1';
const B = '01a1fe86-0000-7000-8000-0000000000b2';

describe('rollout-engine search', function () {
  this.timeout(120_000);
  const tmp = useTempDir('cli-search-');

  const run = async (args: string[]): Promise<{ code: number | null; out: string }> => {
    const r = runCli(args);
    const code = await r.exited;
    return { code, out: r.stdout() };
  };

  it('--json prints thread/search’s answer; --thread prints thread/searchOccurrences’; piped output has no colour', async () => {
    const home = nodePath.join(tmp(), 'home');
    fs.mkdirSync(home);
    writeRollout(home, rolloutName(A), chatThread('paginated', A, 2).text());
    writeRollout(home, rolloutName(B), chatThread('legacy', B, 3).text());
    const where = ['--codex-home', home, '--index-dir', nodePath.join(tmp(), 'index')];

    const found = await run(['search', 'QUESTION', '3', '--json', ...where]);
    expect(found.code).to.equal(0);
    const page = JSON.parse(found.out) as {
      data: Array<{ thread: { id: string }; snippet: string }>;
      nextCursor: string | null;
    };
    expect(page.data.map((d) => [d.thread.id, d.snippet])).to.deep.equal([[B, 'question 3']]);

    const text = await run(['search', 'answer', ...where]);
    expect(text.code).to.equal(0);
    expect(text.out).to.include(`${A}  question 1`).and.to.include('    answer 1');
    expect(text.out).to.not.include('\u001b[');

    const occurrences = await run(['search', 'answer', '--thread', A, '--limit', '1', '--json', ...where]);
    const occ = JSON.parse(occurrences.out) as {
      data: Array<{ snippet: string; snippetMatchRange: { start: number; end: number } }>;
      nextCursor: string | null;
    };
    expect(occ.data.map((o) => [o.snippet, o.snippetMatchRange])).to.deep.equal([['answer 1', { start: 0, end: 6 }]]);
    expect(occ.nextCursor).to.be.a('string');

    const empty = await run(['search', '  ', '--json', ...where]);
    expect(empty.code).to.not.equal(0);
  });
});
