import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { invalidArgument } from '../../../../domain/errors.js';
import type { EngineError } from '../../../../domain/errors.js';
import { withPrices } from '../../../../domain/tokens/pricing.js';
import { tokensReportMethod } from '../../../../protocol/tokens.js';
import { readTokenReport } from '../../../../replay/tokens/readTokenReport.js';
import { checkTimeZone, localDayIn, parseInstant } from '../../../driven/system/timeZone.js';
import { bindMethod } from '../method.js';

/** A bound as milliseconds (the CLI's reading: `parseInstant`), or the param's error. */
const instant = (param: string, v: string | null | undefined, tz: string): E.Either<EngineError, number | undefined> =>
  v === null || v === undefined ? E.right(undefined) : parseInstant(param, v, tz);

/** `rolloutEngine/tokens/report` (our namespace): the token report over JSON-RPC, as `rollout-engine tokens --by X --json`. */
export const tokensReport = bindMethod(tokensReportMethod, (ctx, p) => {
  const tz = checkTimeZone(p?.timeZone ?? 'UTC');
  if (E.isLeft(tz)) return TE.left(invalidArgument('timeZone', `unknown time zone ${JSON.stringify(p?.timeZone)}`));
  const since = instant('since', p?.since, tz.right);
  const until = instant('until', p?.until, tz.right);
  if (E.isLeft(since)) return TE.left(since.left);
  if (E.isLeft(until)) return TE.left(until.left);
  return readTokenReport(ctx.ports, {
    by: p?.by ?? 'dayLocal',
    timeZone: tz.right,
    localDay: localDayIn(tz.right),
    // The request's prices add to the server's table (the one shipped, with `serve --pricing FILE`'s), model by model.
    pricing: p?.pricing === undefined || p.pricing === null ? ctx.pricing : withPrices(ctx.pricing, p.pricing),
    ...(since.right === undefined ? {} : { sinceMs: since.right }),
    ...(until.right === undefined ? {} : { untilMs: until.right }),
  });
});
