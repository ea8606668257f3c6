// What keeps the CLI's option checking in one place: no history or mutation command lets commander
// parse or restrict an option (that would bypass the RPC codec, exit 1 and word it differently),
// and the page hints survive the shell whatever a cursor or an argument holds.
import { expect } from 'chai';
import { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../../../../adapters/driving/cli/commandList.js';
import type { AnyCommandSpec } from '../../../../adapters/driving/cli/commandSpec.js';
import { registerCommand } from '../../../../adapters/driving/cli/registerCommand.js';
import { limitNotes, pageHints, shellWord } from '../../../../adapters/driving/cli/renderHistory.js';
import { shellWords } from './runCli.js';

/** Every command and subcommand, as main.ts registers them. */
const everyCommand = (specs: ReadonlyArray<AnyCommandSpec>): AnyCommandSpec[] =>
  specs.flatMap((s) => [s, ...everyCommand(s.subcommands ?? [])]);

/**
 * The commands that are no view of a method: their own work (index, verify, repair, tokens,
 * analytics, the node's copy, the export and import), a server (serve, view), a group (plugins),
 * and `plugins install` / `sync`, which decode their params in their run.
 */
const NOT_VIEWS = [
  'index',
  'verify',
  'repair',
  'serve',
  'view',
  'tokens',
  'plugins',
  'install',
  'sync',
  'analytics',
  'mirror',
  'export',
  'import',
];

/** The method a command is a view of: the one its params name, given an argument, a review target and a lines file (append). */
const viewOf = async (spec: AnyCommandSpec, linesFile: string): Promise<string | undefined> => {
  const loaded = await spec.params?.({
    args: ['t'],
    opts: { uncommitted: true, linesFile },
    cmd: new Command(),
    request: {},
  });
  return loaded !== undefined && 'method' in loaded ? loaded.method?.name : undefined;
};

describe('CLI options: checked by the codecs alone; page hints that survive the shell', () => {
  it('no command that is a view of an RPC method has commander parse or restrict an option', async () => {
    const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'cli-options-'));
    const linesFile = nodePath.join(dir, 'lines.jsonl');
    fs.writeFileSync(linesFile, '{}\n');
    const program = new Command();
    for (const spec of COMMANDS) registerCommand(program, spec);
    const commanderOf = (spec: AnyCommandSpec): Command | undefined =>
      [program, ...program.commands].flatMap((c) => c.commands).find((c) => c.name() === spec.name);
    const views: string[] = [];
    const others: string[] = [];
    try {
      for (const spec of everyCommand(COMMANDS)) {
        if ((await viewOf(spec, linesFile)) === undefined) {
          others.push(spec.name);
          continue;
        }
        views.push(spec.name);
        const cmd = commanderOf(spec)!;
        for (const option of cmd.options) {
          expect(option.parseArg, `${cmd.name()} ${option.flags}`).to.equal(undefined);
          expect(option.argChoices, `${cmd.name()} ${option.flags}`).to.equal(undefined);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
    // A new command is a view (its options checked above) or named among the others.
    expect(others).to.have.members(NOT_VIEWS);
    expect(views).to.have.length(19);
  });

  it('every command a file of commands/ declares is one main.ts registers (COMMANDS or a subcommand)', async () => {
    const registered = new Set(everyCommand(COMMANDS));
    const folder = nodePath.join(
      nodePath.dirname(fileURLToPath(import.meta.url)),
      '../../../../adapters/driving/cli/commands',
    );
    const declared: string[] = [];
    for (const file of fs.readdirSync(folder).filter((f) => f.endsWith('.js')))
      for (const [name, value] of Object.entries(
        (await import(nodePath.join(folder, file))) as Record<string, unknown>,
      ))
        if (name.endsWith('Command') && typeof value === 'object' && value !== null && 'description' in value) {
          declared.push(name);
          expect(registered.has(value as AnyCommandSpec), `${file} ${name}`).to.equal(true);
        }
    expect(declared).to.have.length(COMMANDS.length);
  });

  it("each view's --json help says what it prints: the JSON-RPC result, or read's `thread` of it", () => {
    const program = new Command();
    for (const spec of COMMANDS) registerCommand(program, spec);
    const jsonHelp = (name: string): string | undefined =>
      program.commands.find((c) => c.name() === name)?.options.find((o) => o.long === '--json')?.description;
    expect(jsonHelp('read')).to.equal('print the thread as JSON: exactly the `thread` of its JSON-RPC result');
    expect(jsonHelp('turns')).to.equal('print the answer as JSON (for a history method: exactly its JSON-RPC result)');
  });

  it('quotes each word so that a shell reads it back as it was', () => {
    const words = [
      'rollout-engine',
      'threads',
      '--search',
      'it\'s a "test" $HOME `x`',
      '--cursor',
      '{"a":1,"b":[2]}',
      '--codex-home',
      '/tmp/a b',
      'plain-word_1.2',
    ];
    expect(shellWords(words.map(shellWord).join(' '))).to.deep.equal(words);
    expect(shellWord('plain-word_1.2')).to.equal('plain-word_1.2');
  });

  it('the next page keeps the direction; going back turns it around', () => {
    const page = { nextCursor: 'N', backwardsCursor: 'B' };
    expect(
      pageHints(page, {
        words: ['rollout-engine', 'turns', 'T'],
        reverseFlag: '--asc',
        reversed: false,
        fromCursor: true,
      }),
    ).to.deep.equal([
      'next page: rollout-engine turns T --cursor N',
      'back:      rollout-engine turns T --cursor B --asc',
    ]);
    expect(
      pageHints(page, {
        words: ['rollout-engine', 'turns', 'T'],
        reverseFlag: '--asc',
        reversed: true,
        fromCursor: true,
      }),
    ).to.deep.equal([
      'next page: rollout-engine turns T --cursor N --asc',
      'back:      rollout-engine turns T --cursor B',
    ]);
    expect(
      pageHints(
        { nextCursor: null, backwardsCursor: null },
        { words: ['x'], reverseFlag: '--asc', reversed: false, fromCursor: true },
      ),
    ).to.deep.equal(['last page']);
  });

  it('a first page (no --cursor) has no back hint: nothing is behind it', () => {
    expect(
      pageHints(
        { nextCursor: 'N', backwardsCursor: 'B' },
        { words: ['rollout-engine', 'threads'], reverseFlag: '--asc', reversed: false, fromCursor: false },
      ),
    ).to.deep.equal(['next page: rollout-engine threads --cursor N']);
  });

  it('--limit beyond a page, or below 1, says what was used', () => {
    expect(limitNotes(500, 100)).to.deep.equal(['--limit 500 is more than a page holds: 100 used']);
    expect(limitNotes(0, 100)).to.deep.equal(['--limit 0: 1 used']);
    expect(limitNotes(100, 100)).to.deep.equal([]);
    expect(limitNotes(undefined, 100)).to.deep.equal([]);
  });
});
