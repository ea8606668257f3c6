import type { Command } from 'commander';
import type * as t from 'io-ts';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../domain/errors.js';
import type { OpenCodexHome, OpenCodexHomeOptions } from '../composition/openCodexHome.js';
import type { ArgumentList, ArgumentsOf, OptionsOf, OptionTable } from './optionTable.js';
import type { MethodEntry } from '../../../protocol/methodEntry.js';
import type { Human } from './printAnswer.js';

/**
 * A command declared once: its arguments, a table of its options (each option's flag, help,
 * default and the params field it fills), the codec its request decodes with and the work it
 * does. `registerCommand` (registerCommand.ts) builds commander's command from it. Every run
 * loads every command's declaration (for `--help` and parsing), so a declaration imports types
 * only: `params`, `run` and `onHome.use` load the codec and the engine with `await import()` when
 * the command runs.
 */

/** What a command was given on its command line. */
export interface Given<A extends ArgumentList, O extends OptionTable> {
  readonly args: ArgumentsOf<A>;
  readonly opts: OptionsOf<O>;
  readonly cmd: Command;
}

/**
 * What a command's request decodes with: the app-server method the command is a view of (its
 * params codec, its thread id rule: the id checked before the home opens and an unknown thread
 * said in the method's words, as `serve` does in `bindMethod`), or a codec of the command's own;
 * `request` when the table's mapping is not the whole of it, `optionOf` names what the table does not.
 */
/** What the CLI takes of a method's entry: its name, its params codec, its thread id rule, and how it differs between Codex versions. */
export type MethodOfCommand<P> = Pick<MethodEntry<string, P>, 'name' | 'params' | 'threadId' | 'deltas'>;

export type ParamsRequest<P> = (
  | { readonly method: MethodOfCommand<P>; readonly codec?: undefined }
  | { readonly codec: t.Decoder<unknown, P>; readonly method?: undefined }
) & {
  readonly request?: Readonly<Record<string, unknown>>;
  readonly optionOf?: Readonly<Record<string, string>>;
};

export interface CommandSpec<A extends ArgumentList, O extends OptionTable, P, R = never> {
  readonly name: string;
  readonly description: string;
  readonly arguments: A;
  /** In the order `--help` lists them. */
  readonly options: O;
  readonly helpAfter?: string;
  /** `plugins <sub>`: the parent's options are read wherever they are written (commander's `optsWithGlobals`). */
  readonly withParentOptions?: boolean;
  /**
   * The params codec of the method the command is a view of (or of the command's own settings),
   * loaded when it runs, and the request the table built (`request`); a refusal found before
   * decoding is an `EngineError`. Refused → reported as `--json` asks, exit 2; else the work (`onHome` or `run`) gets the params.
   */
  readonly params?: (
    given: Given<A, O> & { readonly request: Readonly<Record<string, unknown>> },
  ) => Promise<ParamsRequest<P> | EngineError>;
  /** The work, when it is not one use case on a home. */
  readonly run?: (given: Given<A, O> & { readonly params: P }) => Promise<void>;
  /** One use case on the home the options name, through `runOnHome`. */
  readonly onHome?: OnHome<A, O, P, R>;
  readonly subcommands?: ReadonlyArray<AnyCommandSpec>;
}

/**
 * A command that is one use case on a home: what it asks of the home (loaded when it runs),
 * how its answer reads for a person (`--json` prints the answer, or `render`'s `json`), and how
 * the home opens (`ONE_THREAD` for a view of one thread).
 */
export interface OnHome<A extends ArgumentList, O extends OptionTable, P, R> {
  readonly use: (
    given: Given<A, O> & { readonly params: P },
  ) => Promise<(home: OpenCodexHome) => TE.TaskEither<EngineError, R>>;
  readonly render: (given: Given<A, O> & { readonly params: P }) => Human<R>;
  readonly open?: OpenCodexHomeOptions;
}

/** How a view of one thread opens its home: on a home not indexed yet, it indexes that thread's files, not the whole home. */
export const ONE_THREAD: OpenCodexHomeOptions = { backfill: 'onDemand' };

/** Any command's declaration, as registration reads it (each is checked against its own table by `command`). */
export interface AnyCommandSpec {
  readonly name: string;
  readonly description: string;
  readonly arguments: ArgumentList;
  readonly options: OptionTable;
  readonly helpAfter?: string;
  readonly withParentOptions?: boolean;
  readonly params?: (given: any) => Promise<ParamsRequest<unknown> | EngineError>;
  readonly run?: (given: any) => Promise<void>;
  readonly onHome?: {
    readonly use: (given: any) => Promise<(home: OpenCodexHome) => TE.TaskEither<EngineError, any>>;
    readonly render: (given: any) => Human<any> | Human<never>;
    readonly open?: OpenCodexHomeOptions;
  };
  readonly subcommands?: ReadonlyArray<AnyCommandSpec>;
}

/** A command's declaration, typed by its own arguments and table. */
export const command = <const A extends ArgumentList, const O extends OptionTable, P = undefined, R = never>(
  spec: CommandSpec<A, O, P, R>,
): CommandSpec<A, O, P, R> => spec;
