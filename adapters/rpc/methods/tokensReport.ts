import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { invalidArgument } from '../../../domain/errors.js';
import type { EngineError } from '../../../domain/errors.js';
import { DEFAULT_PRICING } from '../../../domain/tokens/pricing.js';
import { tokensReportMethod } from '../../../protocol/tokens.js';
import { readTokenReport } from '../../../replay/readTokenReport.js';
import { checkTimeZone, localDayIn } from '../../system/timeZone.js';
import { bindMethod } from '../method.js';

/** An ISO-8601 instant as milliseconds, or the param's error. */
const instant = (param: string, v: string | null | undefined): E.Either<EngineError, number | undefined> => {
  if (v === null || v === undefined) return E.right(undefined);
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? E.left(invalidArgument(param, `not an ISO-8601 instant: ${JSON.stringify(v)}`)) : E.right(ms);
};

/** `rolloutEngine/tokens/report` (our namespace): the token report over JSON-RPC, as `rollout-engine tokens --by X --json`. */
export const tokensReport = bindMethod(tokensReportMethod, (ctx, p) => {
  const tz = checkTimeZone(p?.timeZone ?? 'UTC');
  const since = instant('since', p?.since);
  const until = instant('until', p?.until);
  if (E.isLeft(tz)) return TE.left(invalidArgument('timeZone', `unknown time zone ${JSON.stringify(p?.timeZone)}`));
  if (E.isLeft(since)) return TE.left(since.left);
  if (E.isLeft(until)) return TE.left(until.left);
  return readTokenReport(ctx.ports, {
    by: p?.by ?? 'dayLocal',
    timeZone: tz.right,
    localDay: localDayIn(tz.right),
    pricing: p?.pricing ?? DEFAULT_PRICING,
    ...(since.right === undefined ? {} : { sinceMs: since.right }),
    ...(until.right === undefined ? {} : { untilMs: until.right }),
  });
});
