// Issue 69, the fold and listing rules the differential fuzzer found open, each on a home of
// hand-written legacy rollouts in Codex 0.169.0's line format, read by a cold codex app-server
// 0.169.0 and by our serve in the same run (compareHome: every history method, and the lists below):
// 1. a later `session_meta` of the thread: Codex's state DB takes it over the first (cwd, source,
//    provider, git, agent nickname and role, cli version; codex-rs state/src/extract.rs
//    `apply_session_meta_from_item`), and its last `thread_settings_applied` (cwd, provider); its
//    file scan reads the first meta;
// 2. `model_provider: ""`: the file scan filters the thread as provider "", the state DB holds the
//    default provider (extract.rs: an empty provider is the default);
// 3. a legacy thread's `updatedAt` read without turns after a rollback or with no turns, and its
//    `model` after a rollback over turns without a turn context;
// 4. a `compacted` line without `message` does not decode (protocol.rs `CompactedItem.message` has
//    no serde default): it takes no place in implicit turn numbers.
import { expect } from 'chai';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadsOf, writeHome } from './metaRulesHome.js';
import { ALL_SOURCE_KINDS, compareHome, type Step } from './historyComparison.js';
import { freshRoot } from './mutationHarness.js';

/** The lists whose path (file scan or state DB) and filters the rules decide. */
const listSteps = (work: string): Step[] => {
  const steps: Step[] = [];
  const filters: Array<[string, Record<string, unknown>]> = [
    ['configured provider', {}],
    ['every provider', { modelProviders: [] }],
    ['provider mock', { modelProviders: ['mock'] }],
    ['provider openai', { modelProviders: ['openai'] }],
    ['provider empty', { modelProviders: [''] }],
    ['cwd first', { modelProviders: [], cwd: work }],
    ['cwd second', { modelProviders: [], cwd: `${work}/second` }],
    ['cwd third', { modelProviders: [], cwd: `${work}/third` }],
  ];
  for (const [label, filter] of filters)
    for (const [how, more] of [
      ['', {}],
      [' all sources', { sourceKinds: ALL_SOURCE_KINDS }],
      [' exec', { sourceKinds: ['exec'] }],
      [' from the state DB', { useStateDbOnly: true }],
      [' updated', { sortKey: 'updated_at' }],
      [' search', { searchTerm: 'turn 1' }],
    ] as const)
      steps.push({ label: `list ${label}${how}`, method: 'thread/list', params: { limit: 100, ...filter, ...more } });
  // Kinds Codex filters after its pages: a full page has a next cursor when any thread follows it.
  for (const limit of [1, 2])
    for (const [how, more] of [
      ['', {}],
      [' from the state DB', { useStateDbOnly: true }],
      [' provider mock', { modelProviders: ['mock'] }],
    ] as const)
      steps.push({
        label: `list exec limit ${limit}${how}`,
        method: 'thread/list',
        params: { modelProviders: [], sourceKinds: ['exec'], limit, ...more },
        walk: 3,
      });
  // Archived threads, with and without a preview.
  for (const [label, params] of [
    ['archived', { archived: true }],
    ['archived every provider', { archived: true, modelProviders: [] }],
    ['archived from the state DB', { archived: true, useStateDbOnly: true }],
    ['archived all sources', { archived: true, sourceKinds: ALL_SOURCE_KINDS }],
  ] as const)
    steps.push({ label: `list ${label}`, method: 'thread/list', params: { limit: 100, ...params } });
  steps.push({ label: 'search every provider', method: 'thread/search', params: { searchTerm: 'turn', limit: 100 } });
  return steps;
};

describe('compat: later session metas, an empty provider, legacy rollbacks and a compaction without message (codex app-server 0.169.0)', function () {
  this.timeout(900_000);
  let root: string;

  before(() => {
    root = freshRoot();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('every history answer and list equals Codex', async () => {
    const codexHome = join(root, 'home');
    const workDir = join(root, 'work');
    mkdirSync(workDir, { recursive: true });
    const threads = threadsOf(workDir);
    writeHome(codexHome, threads);
    const comparison = await compareHome(
      { key: 'meta-rules', codexHome, workDir, threads: threads.map((t) => ({ id: t.id, label: t.label })) },
      { extraListSteps: listSteps(workDir) },
    );
    // META_RULES_DUMP=<file>: every differing answer in words (mocha cuts a long assertion).
    if (process.env['META_RULES_DUMP'] !== undefined)
      writeFileSync(process.env['META_RULES_DUMP'], comparison.problems.join('\n'));
    process.stderr.write(
      `  meta rules: ${comparison.compared - comparison.differences.length}/${comparison.compared} answers equal\n`,
    );
    expect(comparison.problems.join('\n')).to.equal('');
    expect(comparison.compared).to.be.greaterThan(400);
  });
});
