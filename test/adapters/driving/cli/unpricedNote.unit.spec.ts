import { expect } from 'chai';
import { unpricedNote } from '../../../../adapters/driving/cli/commands/tokensTable.js';
import { DEFAULT_PRICING, NO_PUBLISHED_PRICE } from '../../../../domain/tokens/pricing.js';

describe('tokens: the note under a table with unknown costs', () => {
  it('names the models without a price, the table used, why a Codex model has none published, and --pricing FILE, which adds to the table shipped', () => {
    const note = unpricedNote(['gpt-6.1-sol', 'house-model'], DEFAULT_PRICING);
    expect(note[0]).to.equal(
      `no price for gpt-6.1-sol, house-model in the price table (${DEFAULT_PRICING.source}, as of ${DEFAULT_PRICING.asOf}): a cost holding their tokens is its priced part + ?`,
    );
    // Only the Codex model has a reason: a model of the user's own is simply not in the table.
    expect(note.slice(1, -2)).to.deep.equal([`gpt-6.1-sol has ${NO_PUBLISHED_PRICE.get('gpt-6.1-sol')!}`]);
    // The hint says the file adds to the table (issue 72: a file of the missing models alone replaced it).
    expect(note.at(-2)).to.match(/^give their prices with --pricing FILE: it adds to the price table shipped /);
    expect(note.at(-1)).to.match(/^ {2}\(JSON: /);
    expect(unpricedNote([], DEFAULT_PRICING)).to.deep.equal([]);
  });
});
