import type { Command } from 'commander';
import { Argument } from 'commander';
import type * as t from 'io-ts';
import type { EngineError } from '../../domain/errors.js';

/**
 * A command declared once: its arguments, a table of its options (each option's flag, help,
 * default and the params field it fills), the codec its request decodes with and the work it
 * does. `registerCommand` builds commander's command from it. Every run loads every command's
 * declaration (for `--help` and parsing), so a declaration imports types only: `params` and
 * `run` load the codec and the engine with `await import()` when the command runs.
 */

/** What commander makes of an option's value from its flags (before any codec). */
type FlagValue<F extends string> = F extends `--no-${string}`
  ? boolean
  : F extends `${string}...>` | `${string}...]`
    ? string[] | undefined
    : F extends `${string}<${string}>` | `${string}[${string}]`
      ? string | undefined
      : boolean | undefined;

/** What commander makes of an argument from its name. */
type ArgumentValue<N extends string> = N extends `<${string}...>` | `[${string}...]` ? string[] : N extends `<${string}>` ? string : string | undefined;

/** Where a value goes in the request the codec decodes: the field, and what of the value (default: the value itself). */
interface ParamMapping<V> {
  readonly param?: string;
  readonly toParam?: (value: V) => unknown;
}

export interface OptionSpec<V> extends ParamMapping<V> {
  readonly flags: string;
  readonly description: string;
  readonly default?: string;
  readonly required?: boolean;
  /** commander parses the text (only for an option no codec reads: `index --workers`). */
  readonly parse?: (text: string) => V;
}

export interface ArgumentSpec<V> extends ParamMapping<V> {
  readonly name: string;
  readonly description: string;
  readonly choices?: ReadonlyArray<string>;
}

/** An option of a command's table; `required` or a `default` make it always given. */
export function option<const F extends string>(
  flags: F,
  description: string,
  more: ParamMapping<NonNullable<FlagValue<F>>> & ({ readonly required: true } | { readonly default: string }),
): OptionSpec<NonNullable<FlagValue<F>>>;
export function option<const F extends string, V>(
  flags: F,
  description: string,
  more: ParamMapping<V | undefined> & { readonly parse: (text: string) => V },
): OptionSpec<V | undefined>;
export function option<const F extends string>(flags: F, description: string, more?: ParamMapping<FlagValue<F>>): OptionSpec<FlagValue<F>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function option(flags: string, description: string, more: object = {}): OptionSpec<any> {
  return { flags, description, ...more };
}

export const argument = <const N extends string>(
  name: N,
  description: string,
  more: ParamMapping<ArgumentValue<N>> & { readonly choices?: ReadonlyArray<string> } = {},
): ArgumentSpec<ArgumentValue<N>> => ({ name, description, ...more });

// `any` where the value types of a table meet: each spec is checked against its own table by `command`.
/* eslint-disable @typescript-eslint/no-explicit-any */
type OptionTable = Readonly<Record<string, OptionSpec<any>>>;
type ArgumentList = ReadonlyArray<ArgumentSpec<any>>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The values of a table's options, by commander's attribute names (the table's keys); `--quiet` is every command's (main.ts). */
type ValueOf<S> = S extends OptionSpec<infer V> ? V : never;
export type OptionsOf<O extends OptionTable> = { readonly [K in keyof O as undefined extends ValueOf<O[K]> ? K : never]?: ValueOf<O[K]> } & {
  readonly [K in keyof O as undefined extends ValueOf<O[K]> ? never : K]: ValueOf<O[K]>;
} & { readonly quiet?: boolean };
export type ArgumentsOf<A extends ArgumentList> = { readonly [I in keyof A]: A[I] extends ArgumentSpec<infer V> ? V : never };

/** What a command was given on its command line. */
export interface Given<A extends ArgumentList, O extends OptionTable> {
  readonly args: ArgumentsOf<A>;
  readonly opts: OptionsOf<O>;
  readonly cmd: Command;
}

/** The codec a command's request decodes with; `request` when the table's mapping is not the whole of it, `optionOf` names what the table does not. */
export interface ParamsRequest<P> {
  readonly codec: t.Decoder<unknown, P>;
  readonly request?: Readonly<Record<string, unknown>>;
  readonly optionOf?: Readonly<Record<string, string>>;
}

export interface CommandSpec<A extends ArgumentList, O extends OptionTable, P> {
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
   * decoding is an `EngineError`. Refused → reported as `--json` asks, exit 2; else `run` gets the params.
   */
  readonly params?: (given: Given<A, O> & { readonly request: Readonly<Record<string, unknown>> }) => Promise<ParamsRequest<P> | EngineError>;
  readonly run: (given: Given<A, O> & { readonly params: P }) => Promise<void>;
  readonly subcommands?: ReadonlyArray<AnyCommandSpec>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommandSpec = CommandSpec<any, any, any>;

/** A command's declaration, typed by its own arguments and table. */
export const command = <const A extends ArgumentList, const O extends OptionTable, P = undefined>(spec: CommandSpec<A, O, P>): CommandSpec<A, O, P> => spec;

/** JSON's number grammar: what a number option may look like to be read as a number. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * A number option's text as JSON would give it to the method: a number when it reads as one
 * (`25`, `-1`, `1.5`), else the text itself, so that the codec refuses `abc` or `0x10` by name
 * (`got "abc"`) instead of the CLI guessing (parseInt made `abc` NaN: an empty page, exit 0).
 */
export const numberOption = (text: string | undefined): number | string | undefined => (text === undefined ? undefined : JSON_NUMBER.test(text) ? Number(text) : text);

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
  for (const [key, o] of Object.entries(spec.options as Readonly<Record<string, OptionSpec<unknown>>>)) take(o, opts[key], longFlag(o.flags));
  return { request, optionOf };
};

/** The action of a declared command: its request decoded with its codec (when it has one), then its work. */
const actionOf =
  (spec: AnyCommandSpec) =>
  async (...given: unknown[]): Promise<void> => {
    const cmd = given[given.length - 1] as Command;
    const args = cmd.processedArgs;
    const opts = spec.withParentOptions === true ? cmd.optsWithGlobals() : cmd.opts();
    if (spec.params === undefined) return spec.run({ args, opts, cmd, params: undefined });
    const table = requestOf(spec, args, opts);
    const [loaded, { decodeRequest, withRequest, refused }] = await Promise.all([
      spec.params({ args, opts, cmd, request: table.request }) as Promise<ParamsRequest<unknown> | EngineError>,
      import('./decodeOptions.js'),
    ]);
    const request = 'codec' in loaded ? decodeRequest(loaded.codec, loaded.request ?? table.request, { ...table.optionOf, ...loaded.optionOf }) : refused(loaded);
    return withRequest(opts, request, (params) => spec.run({ args, opts, cmd, params }));
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
