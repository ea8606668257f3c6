// `npm run codex:next -- 0.172.0`: a new Codex release in one command. Installs that version as a
// test tool (never as a dependency: `codexCommandAt`), prints the drift of its app-server schema
// (`codex app-server generate-json-schema --experimental`, the contract) against each version the
// protocol speaks (protocol/codexVersions.ts) — methods, their params, their result fields, the
// thread item kinds and their fields, the server's notifications — then runs the versions' compat
// suite against it (`--no-compat` leaves it out). What the drift lists is what to declare as
// deltas beside the entries it touches.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CODEX_VERSIONS } from '../protocol/codexVersions.js';
import { codexCommandAt } from '../test/compat/appServer.js';

const run = promisify(execFile);

type Json = { readonly [k: string]: unknown };

/** What is compared of one version's schema, each as a name → its field names. */
interface SchemaFacts {
  readonly methods: ReadonlyMap<string, { readonly params: ReadonlySet<string>; readonly result: ReadonlySet<string> }>;
  readonly items: ReadonlyMap<string, ReadonlySet<string>>;
  readonly notifications: ReadonlyMap<string, ReadonlySet<string>>;
  /** Every v2 definition as its JSON text: a shape that changed below the fields (a union's arms: `AgentMessageDisplay`). */
  readonly shapes: ReadonlyMap<string, string>;
}

const refName = (ref: unknown): string | undefined => (typeof ref === 'string' ? ref.split('/').pop() : undefined);

/** The property names of a definition, through `$ref`, `allOf`, `anyOf` and `oneOf` (a union's fields are all of its arms'). */
const fieldsOf = (defs: Json, node: unknown, seen = new Set<string>()): Set<string> => {
  const out = new Set<string>();
  if (typeof node !== 'object' || node === null) return out;
  const n = node as Json;
  const ref = refName(n['$ref']);
  if (ref !== undefined) {
    if (seen.has(ref)) return out;
    seen.add(ref);
    return fieldsOf(defs, defs[ref], seen);
  }
  for (const k of Object.keys((n['properties'] as Json | undefined) ?? {})) out.add(k);
  for (const arm of ['allOf', 'anyOf', 'oneOf'] as const)
    for (const a of (n[arm] as unknown[] | undefined) ?? []) for (const f of fieldsOf(defs, a, seen)) out.add(f);
  return out;
};

const methodOf = (arm: Json): string | undefined =>
  ((arm['properties'] as Json | undefined)?.['method'] as { enum?: string[] } | undefined)?.enum?.[0];

/** One version's facts, from the files `generate-json-schema` writes. */
const factsOf = (dir: string): SchemaFacts => {
  const read = (f: string): Json => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Json;
  const v2 = read('codex_app_server_protocol.v2.schemas.json');
  const defs = { ...(read('ClientRequest.json')['definitions'] as Json), ...(v2['definitions'] as Json) };
  const methods = new Map<string, { params: Set<string>; result: Set<string> }>();
  for (const arm of read('ClientRequest.json')['oneOf'] as Json[]) {
    const name = methodOf(arm);
    if (name === undefined) continue;
    const paramsRef = refName(((arm['properties'] as Json)['params'] as Json | undefined)?.['$ref']);
    // A method's answer is named as its params are (`ThreadListParams` → `ThreadListResponse`).
    const responseName = paramsRef?.replace(/Params$/, 'Response');
    methods.set(name, {
      params: paramsRef === undefined ? new Set() : fieldsOf(defs, defs[paramsRef]),
      result:
        responseName === undefined || defs[responseName] === undefined ? new Set() : fieldsOf(defs, defs[responseName]),
    });
  }
  const items = new Map<string, Set<string>>();
  for (const arm of ((defs['ThreadItem'] as Json | undefined)?.['oneOf'] as Json[] | undefined) ?? []) {
    const kind = ((arm['properties'] as Json)['type'] as { enum?: string[] } | undefined)?.enum?.[0];
    if (kind !== undefined) items.set(kind, fieldsOf(defs, arm));
  }
  const notifications = new Map<string, Set<string>>();
  const notificationDefs = read('ServerNotification.json');
  for (const arm of notificationDefs['oneOf'] as Json[]) {
    const name = methodOf(arm);
    if (name !== undefined)
      notifications.set(
        name,
        fieldsOf({ ...defs, ...(notificationDefs['definitions'] as Json) }, (arm['properties'] as Json)['params']),
      );
  }
  const shapes = new Map(Object.entries(v2['definitions'] as Json).map(([k, v]) => [k, JSON.stringify(v)] as const));
  return { methods, items, notifications, shapes };
};

/** The lines of the drift from `from` to `to`: what was added, removed, and which fields moved. */
const driftOf = (from: SchemaFacts, to: SchemaFacts): string[] => {
  const lines: string[] = [];
  const fields = (what: string, a: ReadonlySet<string>, b: ReadonlySet<string>): void => {
    const added = [...b].filter((f) => !a.has(f)).sort();
    const removed = [...a].filter((f) => !b.has(f)).sort();
    if (added.length > 0) lines.push(`  ${what}: + ${added.join(', ')}`);
    if (removed.length > 0) lines.push(`  ${what}: - ${removed.join(', ')}`);
  };
  const names = <V>(
    what: string,
    a: ReadonlyMap<string, V>,
    b: ReadonlyMap<string, V>,
    each: (name: string, x: V, y: V) => void,
  ): void => {
    const added = [...b.keys()].filter((k) => !a.has(k)).sort();
    const removed = [...a.keys()].filter((k) => !b.has(k)).sort();
    if (added.length > 0) lines.push(`  ${what} added: ${added.join(', ')}`);
    if (removed.length > 0) lines.push(`  ${what} removed: ${removed.join(', ')}`);
    for (const k of [...a.keys()].filter((n) => b.has(n)).sort()) each(k, a.get(k)!, b.get(k)!);
  };
  names('methods', from.methods, to.methods, (name, x, y) => {
    fields(`${name} params`, x.params, y.params);
    fields(`${name} result`, x.result, y.result);
  });
  names('item kinds', from.items, to.items, (kind, x, y) => fields(`item ${kind}`, x, y));
  names('notifications', from.notifications, to.notifications, (name, x, y) => fields(`notification ${name}`, x, y));
  const changed = [...from.shapes.keys()]
    .filter((k) => to.shapes.has(k) && to.shapes.get(k) !== from.shapes.get(k))
    .sort();
  if (changed.length > 0) lines.push(`  definitions changed: ${changed.join(', ')}`);
  return lines;
};

const schemaDir = async (version: string, root: string): Promise<string> => {
  const command = await codexCommandAt(version);
  const out = join(root, version);
  await run(command.file, [...command.args, 'app-server', 'generate-json-schema', '--experimental', '--out', out], {
    timeout: 120_000,
    maxBuffer: 16 << 20,
  });
  return out;
};

const main = async (): Promise<number> => {
  const args = process.argv.slice(2);
  const next = args.find((a) => /^\d+\.\d+\.\d+$/.test(a));
  if (next === undefined) {
    process.stderr.write('usage: npm run codex:next -- <version> [--no-compat] [--against <version>]\n');
    return 2;
  }
  const against = args.includes('--against')
    ? [args[args.indexOf('--against') + 1]!]
    : CODEX_VERSIONS.filter((v) => v !== next);
  const root = mkdtempSync(join(tmpdir(), 'codex-next-'));
  try {
    const nextFacts = factsOf(await schemaDir(next, root));
    for (const spoken of against) {
      const lines = driftOf(factsOf(await schemaDir(spoken, root)), nextFacts);
      process.stdout.write(
        `schema drift, Codex ${spoken} → ${next} (${lines.length} lines)\n${lines.join('\n')}${lines.length > 0 ? '\n' : ''}`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  if (args.includes('--no-compat')) return 0;
  process.stdout.write(
    `\ncompat suite (test/compat/codexVersions.compat.spec.ts) with Codex ${next} beside the versions spoken\n`,
  );
  const mocha = spawn(
    process.execPath,
    [
      'node_modules/mocha/bin/mocha.js',
      '--no-config',
      '--require',
      'dist/test/setup/codexSchemaHooks.js',
      '--reporter',
      'test/setup/closingLineReporter.cjs',
      '--timeout',
      '300000',
      '--spec',
      'dist/test/compat/codexVersions.compat.spec.js',
    ],
    { stdio: 'inherit', env: { ...process.env, ROLLOUT_ENGINE_CODEX_NEXT: next } },
  );
  return new Promise<number>((resolve) => mocha.on('exit', (code) => resolve(code ?? 1)));
};

process.exitCode = await main();
