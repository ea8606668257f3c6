import { writeSynthThread } from '../../../fixtures/synthHome.js';
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { promisify } from 'node:util';
import { CLI_NODE_ENV, CLI_NODE_FLAGS, CLI_SHEBANG } from '../../../../adapters/driving/cli/nodeFlags.js';
import { newThread } from '../../../projections/synth.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { CLI } from '../../../fixtures/cliBundle.js';
import { skipUnmet } from '../../../fixtures/skipUnmet.js';

const run = promisify(execFile);

describe('the CLI runs with its node flags', function () {
  this.timeout(120_000);
  const tmp = useTempDir('cli-flags-');

  it('the built entry point passes CLI_NODE_FLAGS in its shebang', async () => {
    const first = (await fs.readFile(CLI, 'utf8')).split('\n', 1)[0];
    expect(first).to.equal(CLI_SHEBANG);
    for (const f of CLI_NODE_FLAGS) expect(first).to.contain(f);
    for (const [k, v] of Object.entries(CLI_NODE_ENV)) expect(first).to.contain(`${k}=${v} `);
  });

  it('runs as an executable through that shebang (index --no-reader-thread)', async () => {
    const home = nodePath.join(tmp(), 'home');
    const t = newThread(71);
    await writeSynthThread(home, t, 2);
    const { stdout } = await run(CLI, ['index', '--codex-home', home, '--json', '--no-reader-thread']);
    expect(JSON.parse(stdout)).to.deep.include({ files: 1, indexed: 1, quarantined: 0, readerThread: false });
  });

  it('a process started through that shebang has CLI_NODE_ENV in its environment (Linux: /proc/PID/environ)', async function () {
    skipUnmet(this, process.platform === 'linux', 'linux', '/proc/PID/environ');
    const home = nodePath.join(tmp(), 'home-env');
    await writeSynthThread(home, newThread(72), 1);
    const env = { ...process.env };
    for (const k of Object.keys(CLI_NODE_ENV)) delete env[k];
    const child = spawn(CLI, ['serve', '--codex-home', home], { stdio: ['pipe', 'ignore', 'ignore'], env });
    try {
      // `env -S` replaces itself with node: the pid is the server's once it has started.
      let environ = '';
      for (let i = 0; i < 100 && !environ.includes('MALLOC_ARENA_MAX'); i++) {
        await new Promise((r) => setTimeout(r, 50));
        environ = await fs.readFile(`/proc/${child.pid}/environ`, 'utf8').catch(() => '');
      }
      for (const [k, v] of Object.entries(CLI_NODE_ENV)) expect(environ.split('\u0000')).to.include(`${k}=${v}`);
    } finally {
      child.stdin.end();
      child.kill();
    }
  });
});
