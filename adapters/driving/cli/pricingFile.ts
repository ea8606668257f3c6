import { readFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import { invalidArgument } from '../../../domain/errors.js';
import { renderDecodeErrors } from '../../../domain/decodeErrors.js';
import { DEFAULT_PRICING, PricingTable, withPrices } from '../../../domain/tokens/pricing.js';
import { parseJson } from '../../../domain/jsonNesting.js';

/** `tokens --pricing FILE`: the prices per model a user gives, decoded (a bad file is refused saying where). */
export const readPricing = async (path: string): Promise<E.Either<EngineError, PricingTable>> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return E.left(invalidArgument('--pricing', `cannot read ${path}: ${(err as Error).message}`));
  }
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (err) {
    return E.left(invalidArgument('--pricing', `${path} is not JSON: ${(err as Error).message}`));
  }
  const decoded = PricingTable.decode(json);
  return E.isLeft(decoded)
    ? E.left(invalidArgument('--pricing', `${path}: ${renderDecodeErrors(decoded.left)}`))
    : decoded;
};

/** The prices a command uses: the table shipped, with `--pricing FILE`'s over it model by model (it never replaces the table: issue 72). */
export const pricingOption = async (path: string | undefined): Promise<E.Either<EngineError, PricingTable>> =>
  path === undefined
    ? E.right(DEFAULT_PRICING)
    : E.map((given: PricingTable) => withPrices(DEFAULT_PRICING, given))(await readPricing(path));
