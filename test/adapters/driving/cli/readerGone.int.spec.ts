import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as nodePath from 'node:path';
import { ENGINE_CLI_PATH } from '../../../compat/engineCli.js';
import { writeSynthThread } from '../../../fixtures/synthHome.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { newThread } from '../../../projections/synth.js';

/**
 * A reader that closes the CLI's stdout (`rollout-engine read … | head`) ends it quietly with
 * SIGPIPE's exit code, not a stack trace. The answer (about 1 MB) is larger than any pipe holds,
 * so the CLI writes into a closed pipe whatever the order of the two processes.
 */
describe('CLI · a reader that closed stdout', function () {
  this.timeout(120_000);
  const tmp = useTempDir('reader-gone-');

  it('ends with exit code 141 and nothing on stderr', async () => {
    const home = nodePath.join(tmp(), 'home');
    const t = newThread(1);
    await writeSynthThread(home, t, 1500);
    const args = [ENGINE_CLI_PATH, 'read', t.threadId, '--json', '-q', '--codex-home', home];
    const child = spawn(process.execPath, [...args, '--index-dir', nodePath.join(tmp(), 'index')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).to.equal('');
    expect(code).to.equal(141);
  });
});
