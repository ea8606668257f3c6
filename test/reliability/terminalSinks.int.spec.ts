// Issue 68 (finding 11), raw escapes still reached the terminal: `index` printed an unreadable
// entry's path as it was, `plugins list --cwd` a marketplace's name; each renderer had to remember
// `terminalText`, and those (and the error messages that quote input: a cursor, an option, a path)
// did not. Now the CLI's readable output on stdout and stderr passes one sink, `terminalLines`
// (adapters/driving/cli/terminalText.ts): printAnswer's text, lines and notes, reportError, commander's
// usage errors, the warnings and status lines.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { ENGINE_CLI_PATH } from '../compat/engineCli.js';
import { writeSynthThread } from '../fixtures/synthHome.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { newThread, rolloutRelPath } from '../projections/synth.js';
import { reportArea } from './areaSummary.js';
import { stderrJson } from '../fixtures/stderrJson.js';

/** What a terminal acts on: every C0 control but the layout's newline, DEL, C1 (U+009B is CSI), the bidi overrides. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** An OSC title, a screen clear, a C1 CSI and a bidi override, in one text. */
const HOSTILE = '\u001b]0;OWNED\u0007\u001b[2J\u009b31m\u202e';

const figures = { commands: 0, rawControls: 0, escapesShown: 0, jsonCommands: 0, jsonRawControls: 0 };

describe('reliability · terminal sinks (paths, names and quoted input on stdout and stderr)', function () {
  this.timeout(240_000);
  const tmp = useTempDir('terminal-sinks-');
  let home: string;
  let repo: string;

  before(async () => {
    home = nodePath.join(tmp(), 'home');
    await writeSynthThread(home, newThread(11), 2);
    const named = spawnSync(
      process.execPath,
      [ENGINE_CLI_PATH, 'name', newThread(11).threadId, `name${HOSTILE}`, '--codex-home', home],
      { encoding: 'utf8' },
    );
    expect(named.status, named.stderr).to.equal(0);
    // An entry the index cannot read, in a folder whose name holds the escapes.
    const unreadable = nodePath.join(
      home,
      nodePath.dirname(rolloutRelPath(newThread(12).threadId)),
      `evil${HOSTILE}`,
      nodePath.basename(rolloutRelPath(newThread(12).threadId)),
    );
    fs.mkdirSync(nodePath.dirname(unreadable), { recursive: true });
    // Not UTF-8 (a first line that is no rollout line is read as its name's thread).
    fs.writeFileSync(unreadable, Buffer.from([0xff, 0xfe, 0x0a]));
    // A repository whose marketplace's names and descriptions hold them.
    repo = nodePath.join(tmp(), 'repo');
    fs.mkdirSync(nodePath.join(repo, '.git'), { recursive: true });
    fs.mkdirSync(nodePath.join(repo, '.agents/plugins'), { recursive: true });
    fs.mkdirSync(nodePath.join(repo, 'plugins/docs/.codex-plugin'), { recursive: true });
    fs.writeFileSync(
      nodePath.join(repo, '.agents/plugins/marketplace.json'),
      JSON.stringify({
        name: `mk${HOSTILE}`,
        interface: { displayName: `shown${HOSTILE}` },
        plugins: [
          {
            name: `docs${HOSTILE}`,
            description: `about${HOSTILE}`,
            source: { source: 'local', path: './plugins/docs' },
          },
        ],
      }),
    );
    fs.writeFileSync(
      nodePath.join(repo, 'plugins/docs/.codex-plugin/plugin.json'),
      JSON.stringify({ name: 'docs', version: '1.0.0', description: `plugin${HOSTILE}` }),
    );
  });

  after(() => reportArea('terminal sinks', figures));

  it('index, index --rebuild, plugins list --cwd, and errors quoting a cursor, an option, a path: no raw control byte in stdout or stderr, each escape shown', () => {
    const notAHome = nodePath.join(tmp(), `nohome${HOSTILE}`);
    fs.mkdirSync(notAHome);
    const runs: ReadonlyArray<{ args: string[]; exit?: number }> = [
      { args: ['index', '--codex-home', home], exit: 0 },
      { args: ['index', '--rebuild', '--codex-home', home], exit: 0 },
      { args: ['plugins', 'list', '--cwd', repo, '--codex-home', home], exit: 0 },
      { args: ['threads', '--cursor', `{"x":"${HOSTILE}"}`, '--codex-home', home] },
      { args: ['threads', `--bogus${HOSTILE}`, '--codex-home', home] },
      { args: ['tokens', '--pricing', nodePath.join(tmp(), `prices${HOSTILE}.json`), '--codex-home', home] },
      { args: ['plugins', 'install', nodePath.join(tmp(), `mk${HOSTILE}.json`), 'docs', '--codex-home', home] },
      { args: ['threads', '--codex-home', notAHome] },
    ];
    const failures: string[] = [];
    for (const { args, exit } of runs) {
      const r = spawnSync(process.execPath, [ENGINE_CLI_PATH, ...args], { encoding: 'utf8' });
      figures.commands += 1;
      const what = JSON.stringify(
        args.filter((a) => a !== home && a !== '--codex-home').map((a) => a.replace(HOSTILE, '<escapes>')),
      );
      if (exit !== undefined && r.status !== exit)
        failures.push(`${what}: exit ${r.status}: ${r.stderr.slice(0, 200)}`);
      const raw = [...(r.stdout.match(RAW_CONTROL) ?? []), ...(r.stderr.match(RAW_CONTROL) ?? [])];
      figures.rawControls += raw.length;
      if (raw.length > 0) failures.push(`${what}: ${raw.length} raw controls`);
      if (`${r.stdout}${r.stderr}`.includes('\\e]0;OWNED\\a\\e[2J\\x9b31m\\u202e')) figures.escapesShown += 1;
      else
        failures.push(`${what}: the escapes are not shown: ${JSON.stringify(`${r.stdout}${r.stderr}`.slice(0, 300))}`);
    }
    expect(failures).to.deep.equal([]);
  });

  it('--json output (an answer, an error) carries C1 controls and bidi marks as \\u escapes: no raw control, the same values', () => {
    const threadId = newThread(11).threadId;
    const runs = [
      ['threads', '--json'],
      ['read', threadId, '--json'],
      ['threads', '--cursor', `{"x":"${HOSTILE}"}`, '--json'],
    ];
    const failures: string[] = [];
    for (const args of runs) {
      const r = spawnSync(process.execPath, [ENGINE_CLI_PATH, ...args, '--codex-home', home], { encoding: 'utf8' });
      figures.jsonCommands += 1;
      const raw = [...(r.stdout.trimEnd().match(RAW_CONTROL) ?? []), ...(r.stderr.trimEnd().match(RAW_CONTROL) ?? [])];
      figures.jsonRawControls += raw.length;
      if (raw.length > 0)
        failures.push(
          `${JSON.stringify(args.map((a) => a.replace(HOSTILE, '<escapes>')))}: ${raw.length} raw controls`,
        );
    }
    expect(failures).to.deep.equal([]);
    const read = spawnSync(process.execPath, [ENGINE_CLI_PATH, 'read', threadId, '--json', '--codex-home', home], {
      encoding: 'utf8',
    });
    expect((JSON.parse(read.stdout) as { name: string }).name).to.equal(`name${HOSTILE}`);
    const refused = spawnSync(
      process.execPath,
      [ENGINE_CLI_PATH, 'threads', '--cursor', `{"x":"${HOSTILE}"}`, '--json', '--codex-home', home],
      { encoding: 'utf8' },
    );
    expect((stderrJson(refused.stderr) as { error: { message: string } }).error.message).to.include(HOSTILE);
  });
});
