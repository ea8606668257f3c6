// The price table shipped against the models each Codex version we speak offers: the real `codex
// app-server`'s `model/list` (hidden models included), every page of it, of each binary. Each model one lists has
// a price, or is one no maintained source prices yet (NO_PUBLISHED_PRICE, each with why); that
// list names no model no version lists. A Codex upgrade that brings a model, or a price
// refresh (scripts/refreshPrices.mjs), is checked here.
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PRICING, NO_PUBLISHED_PRICE, priceOf } from '../../domain/tokens/pricing.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { AppServer, stopAllAppServers } from './appServer.js';
import { CODEX_VERSIONS } from '../../protocol/codexVersions.js';

interface ModelListPage {
  readonly data: ReadonlyArray<{ readonly model: string; readonly hidden: boolean }>;
  readonly nextCursor: string | null;
}

describe('the price table shipped and the models the Codex versions we speak list (compat)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('codex-model-prices-');
  after(stopAllAppServers);

  it('every model `codex app-server` of each version lists (model/list, hidden ones too) has a price in the table shipped, or is said to have none published', async () => {
    const listed: Array<{ model: string; hidden: boolean }> = [];
    for (const codexVersion of CODEX_VERSIONS) {
      const codexHome = join(tmp(), codexVersion);
      mkdirSync(codexHome, { recursive: true });
      // A user's default home (OpenAI, not signed in): Codex's own list, nothing asked of a network.
      writeFileSync(
        join(codexHome, 'config.toml'),
        'check_for_update_on_startup = false\n\n[analytics]\nenabled = false\n',
      );
      const server = await AppServer.start({ codexHome, codexVersion });
      const before = listed.length;
      try {
        let cursor: string | null = null;
        do {
          const page: ModelListPage = await server.request('model/list', { includeHidden: true, cursor });
          listed.push(...page.data.map((m) => ({ model: m.model, hidden: m.hidden })));
          cursor = page.nextCursor;
        } while (cursor !== null);
      } finally {
        await server.stop();
      }
      expect(
        listed.slice(before).filter((m) => !m.hidden).length,
        `models Codex ${codexVersion} offers`,
      ).to.be.greaterThan(0);
    }
    const models = [...new Set(listed.map((m) => m.model))];
    const unpriced = models.filter((m) => priceOf(DEFAULT_PRICING, m) === undefined);
    expect(
      unpriced.filter((m) => !NO_PUBLISHED_PRICE.has(m)),
      `models Codex lists with no price in ${DEFAULT_PRICING.source} (as of ${DEFAULT_PRICING.asOf}) nor a line in NO_PUBLISHED_PRICE`,
    ).to.deep.equal([]);
    expect(
      [...NO_PUBLISHED_PRICE.keys()].filter((m) => !unpriced.includes(m)),
      'NO_PUBLISHED_PRICE names only models Codex lists that the table does not price',
    ).to.deep.equal([]);
  });
});
