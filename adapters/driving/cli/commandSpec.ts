import type { Command } from 'commander';
import { Argument } from 'commander';
import type * as t from 'io-ts';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../domain/errors.js';
import type { OpenCodexHome, OpenCodexHomeOptions } from '../composition/openCodexHome.js';
import type {
  ArgumentList,
  ArgumentSpec,
  ArgumentsOf,
  OptionSpec,
  OptionsOf,
  OptionTable,
  ParamMapping,
} from './optionTable.js';
import type { HomeOptions } from './homeOptions.js';
import type { MethodEntry } from '../../../protocol/methodEntry.js';
import type { Human } from './printAnswer.js';

/**
 * A command declared once: its arguments, a table of its options (each option's flag, help,
 * default and the params field it fills), the codec its request decodes with and the work it
 * does. `registerCommand` builds commander's command from it. Every run loads every command's
 * declaration (for `--help` and parsing), so a declaration imports types only: `params`, `run`
 * and `onHome.use` load the codec and the engine with `await import()` when the command runs.
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

/** The long flag of an option (`--limit`), how a refusal names it. */
const longFlag = (flags: string): string => flags.split(/[ ,|]+/).find((f) => f.startsWith('--')) ?? flags;

/** The request the table builds from what was given, and the option or argument each field comes from. */
const requestOf = (spec: AnyCommandSpec, args: ReadonlyArray<unknown>, opts: Readonly<Record<string, unknown>>) => {
  const request: Record<string, unknown> = {};
  const optionOf: Record<string, string> = {};
  const take = (mapping: ParamMapping<unknown>, value: unknown, name: string): void => {
    if (mapping.param === undefined) return;
    request[mapping.param] = mapping.toParam === undefined ? value : mapping.toParam(value);
    optionOf[mapping.param] = name;
  };
  (spec.arguments as ReadonlyArray<ArgumentSpec<unknown>>).forEach((a, i) => take(a, args[i], a.name));
  for (const [key, o] of Object.entries(spec.options as Readonly<Record<string, OptionSpec<unknown>>>))
    take(o, opts[key], longFlag(o.flags));
  return { request, optionOf };
};

/** A command's work with its params: its use case on the home (its errors in its method's words, `inWords`), or its own `run`. */
const work = async (
  spec: AnyCommandSpec,
  given: Given<ArgumentList, OptionTable> & { readonly params: unknown },
  inWords: ((e: EngineError) => EngineError) | undefined,
): Promise<void> => {
  if (spec.onHome === undefined) return spec.run?.(given);
  const [use, { runOnHome }] = await Promise.all([spec.onHome.use(given), import('./runOnHome.js')]);
  const worded =
    inWords === undefined
      ? use
      : await import('fp-ts/lib/TaskEither.js').then((TE) => (home: OpenCodexHome) => TE.mapLeft(inWords)(use(home)));
  const threadId = (given.params as { readonly threadId?: unknown } | undefined)?.threadId;
  return runOnHome<unknown>(
    given.opts as HomeOptions,
    worded,
    spec.onHome.render(given) as Human<unknown>,
    spec.onHome.open,
    typeof threadId === 'string' ? threadId : undefined,
  );
};

/** The action of a declared command: its request decoded with its codec (when it has one), then its work. */
const actionOf =
  (spec: AnyCommandSpec) =>
  async (...given: unknown[]): Promise<void> => {
    const cmd = given[given.length - 1] as Command;
    const args = cmd.processedArgs;
    const opts = spec.withParentOptions === true ? cmd.optsWithGlobals() : cmd.opts();
    if (spec.params === undefined) return work(spec, { args, opts, cmd, params: undefined }, undefined);
    const table = requestOf(spec, args, opts);
    const [loaded, { decodeRequest, decodeMethodRequest, withRequest, refused }] = await Promise.all([
      spec.params({ args, opts, cmd, request: table.request }) as Promise<ParamsRequest<unknown> | EngineError>,
      import('./decodeOptions.js'),
    ]);
    if ('_tag' in loaded) return withRequest(opts, refused(loaded), async () => undefined);
    const method = loaded.method;
    const asked = loaded.request ?? table.request;
    const optionOf = { ...table.optionOf, ...loaded.optionOf };
    if (method === undefined)
      return withRequest(opts, decodeRequest(loaded.codec!, asked, optionOf), (params) =>
        work(spec, { args, opts, cmd, params }, undefined),
      );
    // A view of a method: the Codex version it speaks, its thread id rule, loaded only for such a command.
    const [E, { checkedParams, inMethodWords }, { spokenAs }] = await Promise.all([
      import('fp-ts/lib/Either.js'),
      import('../../../protocol/threadIdRule.js'),
      import('./codexVersionOption.js'),
    ]);
    const decodedAs = (request: Readonly<Record<string, unknown>>) => {
      const spoken = spokenAs(method, opts as { readonly codexVersion?: string }, request, optionOf);
      return {
        spoken,
        decoded: E.chain((s: { readonly request: unknown }) =>
          decodeMethodRequest(method.params, s.request as Readonly<Record<string, unknown>>, optionOf),
        )(spoken),
      };
    };
    // A thread id given as the start of one (`019a7f`): once the rest of the request is found
    // good, the id it stands for, from the home's index, before the method sees it (one resolver
    // for every command; the method then checks a whole id, as serve's).
    const ids = 'threadId' in asked || 'includedThreadIds' in asked ? await import('./threadIdArgument.js') : undefined;
    let request = asked;
    if (ids?.needsResolving(asked) === true && E.isRight(decodedAs(asked).decoded)) {
      const resolved = await ids.resolvedRequest(opts as HomeOptions, asked);
      if (resolved._tag === 'Left') return withRequest(opts, resolved, async () => undefined);
      request = resolved.right;
    }
    const { spoken, decoded } = decodedAs(request);
    const checked = E.mapLeft((e: EngineError) => ids?.malformedIdHint(e) ?? e)(
      E.chain((p: unknown) => checkedParams(method, p))(decoded),
    );
    // `--json` prints the result as that version answers it (`methodAnswerAt`, as serve answers);
    // the command's run sees the version it speaks as `codexVersion`.
    const shaped = E.isRight(spoken)
      ? { ...opts, answerAt: spoken.right.answerAt, codexVersion: spoken.right.version }
      : opts;
    return withRequest(opts, checked, (params) =>
      work(spec, { args, opts: shaped, cmd, params }, inMethodWords(method)),
    );
  };

/** Build commander's command from a declaration, under `parent`. */
export const registerCommand = (parent: Command, spec: AnyCommandSpec): Command => {
  const cmd = parent.command(spec.name).description(spec.description);
  for (const a of spec.arguments as ReadonlyArray<ArgumentSpec<unknown>>)
    if (a.choices === undefined) cmd.argument(a.name, a.description);
    else cmd.addArgument(new Argument(a.name, a.description).choices(a.choices));
  for (const o of Object.values(spec.options as Readonly<Record<string, OptionSpec<unknown>>>))
    if (o.required === true) cmd.requiredOption(o.flags, o.description);
    else if (o.parse !== undefined) cmd.option(o.flags, o.description, o.parse);
    else if (o.default !== undefined) cmd.option(o.flags, o.description, o.default);
    else cmd.option(o.flags, o.description);
  if (spec.helpAfter !== undefined) cmd.addHelpText('after', spec.helpAfter);
  cmd.action(actionOf(spec));
  for (const sub of spec.subcommands ?? []) registerCommand(cmd, sub);
  return cmd;
};
