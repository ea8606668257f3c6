import type * as t from 'io-ts';
import type { MethodEntry } from './methodEntry.js';
import * as externalAgents from './externalAgents.js';
import * as historyWrites from './historyWrites.js';
import * as items from './items.js';
import * as management from './management.js';
import * as plugins from './plugins.js';
import * as search from './search.js';
import * as server from './server.js';
import * as threads from './threads.js';
import * as tokens from './tokens.js';
import * as turns from './turns.js';

/**
 * The protocol's families: each module declares its methods as exported entries (`method<R>()({…})`),
 * and the table is built from what they export. A method declared in a family is in the table, and
 * the table holds nothing a family does not declare: there is no second list to keep in step.
 */
const FAMILIES = [
  server,
  threads,
  turns,
  items,
  historyWrites,
  management,
  search,
  tokens,
  plugins,
  externalAgents,
] as const;

/** The entries among a module's exports (not its codecs nor helpers), module by module. */
type EntriesOf<M> = M extends unknown ? Extract<M[keyof M], MethodEntry<string, any, any>> : never;

type Entries = EntriesOf<(typeof FAMILIES)[number]>;

/** An entry as `method()` builds it: what no codec, helper or constant of a family has. */
const isEntry = (v: unknown): v is Entries =>
  typeof v === 'object' &&
  v !== null &&
  'name' in v &&
  'params' in v &&
  'scope' in v &&
  'withUpstream' in v &&
  'deltas' in v;

/** Every method the app-server answers, family by family (`adapters/driving/rpc/methods/` binds each to its use case). */
const ENTRIES: ReadonlyArray<Entries> = FAMILIES.flatMap((family) => Object.values(family).filter(isEntry));

/** A method's name. */
export type MethodName = Entries['name'];

/** The table: each method's entry by its name. */
export type MethodTable = { readonly [N in MethodName]: Extract<Entries, { name: N }> };

export const METHODS: MethodTable = Object.fromEntries(ENTRIES.map((e) => [e.name, e])) as MethodTable;

/** Every entry, family by family. */
export const METHOD_ENTRIES: ReadonlyArray<Entries> = ENTRIES;

/** The params a method takes, decoded (what its codec yields). */
export type ParamsOf<M extends MethodName> = MethodTable[M] extends { readonly params: t.Decoder<unknown, infer P> }
  ? P
  : never;

/** What a method answers. */
export type ResultOf<M extends MethodName> = MethodTable[M] extends { readonly result?: infer R } ? R : never;
