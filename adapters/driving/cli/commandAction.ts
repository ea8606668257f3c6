import type { Command, OptionValues } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../domain/errors.js';
import type { OpenCodexHome } from '../composition/openCodexHome.js';
import { checkedParams, inMethodWords } from '../../../protocol/threadIdRule.js';
import type { ArgumentList, ArgumentSpec, OptionSpec, OptionTable, ParamMapping } from './optionTable.js';
import type { HomeOptions } from './homeOptions.js';
import type { Human } from './printAnswer.js';
import type { AnyCommandSpec, Given, ParamsRequest } from './commandSpec.js';
import { spokenAs } from './codexVersionOption.js';
import { decodeMethodRequest, decodeRequest, refused, withRequest } from './decodeOptions.js';

/**
 * What a declared command does when it runs: the request its table builds from the command line,
 * decoded with its codec, then its work. The action registerCommand.ts registers loads this module
 * when a command runs, so `--help` and `--version` load none of it.
 */

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

/** What a command on a home runs with: the engine, which registerCommand.ts loads beside this module. */
export type EngineOfCommand = typeof import('./runOnHome.js');

/** A command's work with its params: its use case on the home (its errors in its method's words, `inWords`), or its own `run`. */
const work = async (
  spec: AnyCommandSpec,
  given: Given<ArgumentList, OptionTable> & { readonly params: unknown },
  inWords: ((e: EngineError) => EngineError) | undefined,
  engine: EngineOfCommand | undefined,
): Promise<void> => {
  if (spec.onHome === undefined) return spec.run?.(given);
  const [use, { runOnHome }] = await Promise.all([spec.onHome.use(given), engine ?? import('./runOnHome.js')]);
  const worded = inWords === undefined ? use : (home: OpenCodexHome) => TE.mapLeft(inWords)(use(home));
  const threadId = (given.params as { readonly threadId?: unknown } | undefined)?.threadId;
  return runOnHome<unknown>(
    given.opts as HomeOptions,
    worded,
    spec.onHome.render(given) as Human<unknown>,
    spec.onHome.open,
    typeof threadId === 'string' ? threadId : undefined,
  );
};

/** What the command line gave a command, as commander read it. */
export interface CommandLine {
  readonly args: unknown[];
  readonly opts: OptionValues;
  readonly cmd: Command;
}

/** The action of a declared command: its request decoded with its codec (when it has one), then its work. */
export const actionOf =
  (spec: AnyCommandSpec, engine: EngineOfCommand | undefined) =>
  async ({ args, opts, cmd }: CommandLine): Promise<void> => {
    if (spec.params === undefined) return work(spec, { args, opts, cmd, params: undefined }, undefined, engine);
    const table = requestOf(spec, args, opts);
    const loaded = await (spec.params({ args, opts, cmd, request: table.request }) as Promise<
      ParamsRequest<unknown> | EngineError
    >);
    if ('_tag' in loaded) return withRequest(opts, refused(loaded), async () => undefined);
    const method = loaded.method;
    const asked = loaded.request ?? table.request;
    const optionOf = { ...table.optionOf, ...loaded.optionOf };
    if (method === undefined)
      return withRequest(opts, decodeRequest(loaded.codec!, asked, optionOf), (params) =>
        work(spec, { args, opts, cmd, params }, undefined, engine),
      );
    // A view of a method: the Codex version it speaks, its thread id rule.
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
    const namesThreads = 'threadId' in asked || 'includedThreadIds' in asked;
    const ids = namesThreads ? (engine?.threadIds ?? (await import('./threadIdArgument.js'))) : undefined;
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
      work(spec, { args, opts: shaped, cmd, params }, inMethodWords(method), engine),
    );
  };
