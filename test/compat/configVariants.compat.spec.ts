// Issue 69: the compat homes read under the configurations users have, not only the compat config
// (provider `mock`, as the homes were recorded): with no `config.toml` at all (Codex's defaults,
// provider `openai`) and with one naming a custom provider. Each home's whole history API is asked
// of the real `codex app-server` 0.169.0 and of ours, cold, with the home-level lists asked again
// over every provider (`modelProviders: []`), since the configured one holds none of the threads.
// The configured provider's rule: codex-rs/core/src/config/mod.rs (`model_provider_id`), used by
// codex-rs/app-server/src/request_processors/thread_processor.rs (`thread_list`).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { BUILD_TIMEOUT_MS, sharedCompatHomes, type CompatFixture, type HomeConfig } from './compatHomes.js';
import { compareHome } from './historyComparison.js';
import { SCENARIOS } from './scenarios.js';

/** A provider no compat thread was recorded with, defined as users define theirs. */
const customProviderToml = (port: number): string => `model = "acme-model"
model_provider = "acme"
check_for_update_on_startup = false
cli_auth_credentials_store = "file"

[model_providers.acme]
name = "Acme gateway"
base_url = "http://127.0.0.1:${port}/v1"
wire_api = "responses"
`;

const CONFIGS: ReadonlyArray<{ readonly name: string; readonly config: HomeConfig }> = [
  { name: 'no config.toml', config: null },
  { name: 'a custom model_provider', config: customProviderToml },
];

describe('compat: the history API under other configurations (no config.toml, a custom provider; rollout-engine serve vs codex app-server 0.169.0, cold)', function () {
  this.timeout(300_000);
  let fixture: CompatFixture;
  const equal = new Map<string, number>();

  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS);
    fixture = await sharedCompatHomes();
  });

  after(() => {
    for (const [name, n] of equal) process.stdout.write(`    ${name}: ${n} answers equal to codex's, every home\n`);
  });

  for (const { name, config } of CONFIGS)
    for (const scenario of SCENARIOS)
      for (const mode of scenario.modes) {
        const key = `${scenario.name}-${mode}`;
        it(`${name}, ${key}: every answer equals codex's`, async function () {
          const home = fixture.homes.find((h) => h.key === key);
          expect(home, `home ${key} was built`).to.not.equal(undefined);
          // The shared home goes back to the config it was recorded with, for the suites after this one.
          const configPath = join(home!.codexHome, 'config.toml');
          const recorded = readFileSync(configPath);
          try {
            const { compared, problems, acrossCursor } = await compareHome(home!, {
              inStateDbOrder: true,
              config,
              listParams: { modelProviders: [] },
            });
            equal.set(name, (equal.get(name) ?? 0) + compared - problems.length);
            process.stdout.write(`      ${key}: ${compared} answers compared, ${compared - problems.length} equal\n`);
            if (acrossCursor.length > 0)
              process.stderr.write(
                `${key}: ${acrossCursor.length} walks compared up to a cursor a thread lies across\n`,
              );
            expect(compared, 'answers compared').to.be.greaterThan(0);
            if (problems.length > 0)
              expect.fail(`${problems.length} of ${compared} answers differ:\n${problems.slice(0, 12).join('\n')}`);
          } finally {
            writeFileSync(configPath, recorded);
          }
        });
      }
});
