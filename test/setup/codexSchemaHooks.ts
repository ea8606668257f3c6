// Mocha root hooks (loaded by .mocharc's `require`, so by `npm test`): every answer and
// notification our server gives the tests' RPC clients is validated against the JSON Schema the
// pinned Codex binary prints. An answer that violates it rejects its request; a notification that
// violates it fails the test that received it. The counts go to test-artifacts/schema-counts.json
// (schema-counts.<tier>[.<shard>].json for each mocha process tierRuns.cjs runs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { CodexSchema, answerSchema } from '../fixtures/codexSchema.js';
import { compatCodexVersion } from '../compat/appServer.js';

// The schema checked is the compared Codex's (the pinned 0.169.0, or
// `ROLLOUT_ENGINE_COMPAT_CODEX_VERSION` for a whole run against another release) and the compat
// suites compare with it: every `serve` the tests start speaks that version unless it asks for
// another (`--codex-version` beats this).
process.env['ROLLOUT_ENGINE_CODEX_VERSION'] ??= compatCodexVersion();

const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

export const mochaHooks = {
  beforeAll(this: Mocha.Context): void {
    this.timeout(120_000);
    if (answerSchema.active() === null) answerSchema.activate(CodexSchema.generate());
  },
  afterEach(): void {
    const violations = answerSchema.takeViolations();
    if (violations.length > 0) throw new Error(`our notifications violate Codex's schema:\n${violations.join('\n')}`);
  },
  afterAll(): void {
    const schema = answerSchema.active();
    if (schema === null) return;
    const { answers, notifications, ours } = schema.counts;
    mkdirSync('test-artifacts', { recursive: true });
    const tier = process.env['ROLLOUT_ENGINE_TEST_TIER'];
    writeFileSync(
      `test-artifacts/schema-counts${tier === undefined ? '' : `.${tier}`}.json`,
      `${JSON.stringify({ answers: Object.fromEntries(answers), notifications: Object.fromEntries(notifications), ours: Object.fromEntries(ours) }, null, 2)}\n`,
    );
    process.stdout.write(
      `Codex schema: ${total(answers)} answers (${answers.size} methods) and ${total(notifications)} notifications (${notifications.size} kinds) of ours validated; ${total(ours)} answers of our own methods not in Codex's schema\n`,
    );
  },
};
