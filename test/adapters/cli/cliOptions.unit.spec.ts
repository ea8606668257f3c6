// What keeps the CLI's option checking in one place: no history or mutation command lets commander
// parse or restrict an option (that would bypass the RPC codec, exit 1 and word it differently),
// and the page hints survive the shell whatever a cursor or an argument holds.
import { expect } from 'chai';
import { Command } from 'commander';
import { registerCommand } from '../../../adapters/cli/commandSpec.js';
import { forkCommand } from '../../../adapters/cli/commands/fork.js';
import { itemsCommand } from '../../../adapters/cli/commands/items.js';
import { readCommand } from '../../../adapters/cli/commands/read.js';
import { revertCommand } from '../../../adapters/cli/commands/revert.js';
import { reviewCommand } from '../../../adapters/cli/commands/review.js';
import { rollbackCommand } from '../../../adapters/cli/commands/rollback.js';
import { threadsCommand } from '../../../adapters/cli/commands/threads.js';
import { tokenUsageCommand } from '../../../adapters/cli/commands/tokenUsage.js';
import { turnsCommand } from '../../../adapters/cli/commands/turns.js';
import { limitNotes, pageHints, shellWord } from '../../../adapters/cli/renderHistory.js';
import { shellWords } from './runCli.js';

describe('CLI options: checked by the codecs alone; page hints that survive the shell', () => {
  it('no command that is a view of an RPC method has commander parse or restrict an option', () => {
    const program = new Command();
    for (const spec of [turnsCommand, itemsCommand, threadsCommand, readCommand, reviewCommand, forkCommand, revertCommand, rollbackCommand, tokenUsageCommand])
      registerCommand(program, spec);
    expect(program.commands).to.have.length(9);
    for (const cmd of program.commands)
      for (const option of cmd.options) {
        expect(option.parseArg, `${cmd.name()} ${option.flags}`).to.equal(undefined);
        expect(option.argChoices, `${cmd.name()} ${option.flags}`).to.equal(undefined);
      }
  });

  it("each view's --json help says what it prints: the JSON-RPC result, or read's `thread` of it", () => {
    const program = new Command();
    registerCommand(program, readCommand);
    registerCommand(program, turnsCommand);
    const jsonHelp = (name: string): string | undefined => program.commands.find((c) => c.name() === name)?.options.find((o) => o.long === '--json')?.description;
    expect(jsonHelp('read')).to.equal('print the thread as JSON: exactly the `thread` of its JSON-RPC result');
    expect(jsonHelp('turns')).to.equal('print the answer as JSON (for a history method: exactly its JSON-RPC result)');
  });

  it('quotes each word so that a shell reads it back as it was', () => {
    const words = ['rollout-engine', 'threads', '--search', 'it\'s a "test" $HOME `x`', '--cursor', '{"a":1,"b":[2]}', '--codex-home', '/tmp/a b', 'plain-word_1.2'];
    expect(shellWords(words.map(shellWord).join(' '))).to.deep.equal(words);
    expect(shellWord('plain-word_1.2')).to.equal('plain-word_1.2');
  });

  it('the next page keeps the direction; going back turns it around', () => {
    const page = { nextCursor: 'N', backwardsCursor: 'B' };
    expect(pageHints(page, { words: ['rollout-engine', 'turns', 'T'], reverseFlag: '--asc', reversed: false, fromCursor: true })).to.deep.equal([
      'next page: rollout-engine turns T --cursor N',
      'back:      rollout-engine turns T --cursor B --asc',
    ]);
    expect(pageHints(page, { words: ['rollout-engine', 'turns', 'T'], reverseFlag: '--asc', reversed: true, fromCursor: true })).to.deep.equal([
      'next page: rollout-engine turns T --cursor N --asc',
      'back:      rollout-engine turns T --cursor B',
    ]);
    expect(pageHints({ nextCursor: null, backwardsCursor: null }, { words: ['x'], reverseFlag: '--asc', reversed: false, fromCursor: true })).to.deep.equal([
      'last page',
    ]);
  });

  it('a first page (no --cursor) has no back hint: nothing is behind it', () => {
    expect(
      pageHints({ nextCursor: 'N', backwardsCursor: 'B' }, { words: ['rollout-engine', 'threads'], reverseFlag: '--asc', reversed: false, fromCursor: false }),
    ).to.deep.equal(['next page: rollout-engine threads --cursor N']);
  });

  it('--limit beyond a page, or below 1, says what was used', () => {
    expect(limitNotes(500, 100)).to.deep.equal(['--limit 500 is more than a page holds: 100 used']);
    expect(limitNotes(0, 100)).to.deep.equal(['--limit 0: 1 used']);
    expect(limitNotes(100, 100)).to.deep.equal([]);
    expect(limitNotes(undefined, 100)).to.deep.equal([]);
  });
});
