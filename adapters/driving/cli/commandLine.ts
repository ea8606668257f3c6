import type { Command } from 'commander';
import type { PageCommand } from './renderHistory.js';

/**
 * The words of the command line that ran `cmd`, as a person could type it again: the program, the
 * command, its arguments and the options given on the command line (not defaults), in the order
 * the command declares them, without the options in `leaveOut`.
 */
export const commandWords = (cmd: Command, leaveOut: ReadonlyArray<string>): string[] => {
  const words = [
    cmd.parent?.name() ?? 'rollout-engine',
    cmd.name(),
    ...cmd.processedArgs.filter((a): a is string => typeof a === 'string'),
  ];
  for (const option of cmd.options) {
    const key = option.attributeName();
    if (option.long === undefined || leaveOut.includes(option.long) || cmd.getOptionValueSource(key) !== 'cli')
      continue;
    const value: unknown = cmd.getOptionValue(key);
    if (typeof value === 'string') words.push(option.long, value);
    // A flag (`--asc`) is true when given; a negated one (`--no-turns`) is false when given.
    else if (typeof value === 'boolean') words.push(option.long);
  }
  return words;
};

/** The command that printed a page, for its page hints: `reverseFlag` turns its default direction around. */
export const pageCommandOf = (cmd: Command, reverseFlag: string): PageCommand => ({
  words: commandWords(cmd, ['--cursor', reverseFlag]),
  reverseFlag,
  reversed: cmd.getOptionValue(reverseFlag.replace(/^--/, '')) === true,
  fromCursor: cmd.getOptionValue('cursor') !== undefined,
});
