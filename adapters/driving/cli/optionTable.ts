/**
 * A command's arguments and options as data: each one once, with its flags and help, its default
 * and the params field it fills (`commandSpec.ts` builds commander's command and the request from
 * it). No imports: every run loads every table.
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
type ArgumentValue<N extends string> = N extends `<${string}...>` | `[${string}...]`
  ? string[]
  : N extends `<${string}>`
    ? string
    : string | undefined;

/** Where a value goes in the request the codec decodes: the field, and what of the value (default: the value itself). */
export interface ParamMapping<V> {
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
export function option<const F extends string>(
  flags: F,
  description: string,
  more?: ParamMapping<FlagValue<F>>,
): OptionSpec<FlagValue<F>>;
export function option(flags: string, description: string, more: object = {}): OptionSpec<any> {
  return { flags, description, ...more };
}

export const argument = <const N extends string>(
  name: N,
  description: string,
  more: ParamMapping<ArgumentValue<N>> & { readonly choices?: ReadonlyArray<string> } = {},
): ArgumentSpec<ArgumentValue<N>> => ({ name, description, ...more });

// `any` where the value types of a table meet: each spec is checked against its own table by `command`.
export type OptionTable = Readonly<Record<string, OptionSpec<any>>>;
export type ArgumentList = ReadonlyArray<ArgumentSpec<any>>;

/** The values of a table's options, by commander's attribute names (the table's keys); `--quiet` is every command's (main.ts). */
type ValueOf<S> = S extends OptionSpec<infer V> ? V : never;
export type OptionsOf<O extends OptionTable> = {
  readonly [K in keyof O as undefined extends ValueOf<O[K]> ? K : never]?: ValueOf<O[K]>;
} & {
  readonly [K in keyof O as undefined extends ValueOf<O[K]> ? never : K]: ValueOf<O[K]>;
} & { readonly quiet?: boolean };
export type ArgumentsOf<A extends ArgumentList> = {
  readonly [I in keyof A]: A[I] extends ArgumentSpec<infer V> ? V : never;
};

/** JSON's number grammar: what a number option may look like to be read as a number. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * A number option's text as JSON would give it to the method: a number when it reads as one
 * (`25`, `-1`, `1.5`), else the text itself, so that the codec refuses `abc` or `0x10` by name
 * (`got "abc"`) instead of the CLI guessing (parseInt made `abc` NaN: an empty page, exit 0).
 */
export const numberOption = (text: string | undefined): number | string | undefined =>
  text === undefined ? undefined : JSON_NUMBER.test(text) ? Number(text) : text;
