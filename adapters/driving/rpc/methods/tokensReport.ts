import * as E from 'fp-ts/lib/Either.js';
import { take, takeNow, useCase } from '../../../../domain/effect.js';
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
export const tokensReport = bindMethod(tokensReportMethod, (ctx, p) =>
  useCase(async () => {
    const tz = takeNow(
      E.mapLeft(() => invalidArgument('timeZone', `unknown time zone ${JSON.stringify(p?.timeZone)}`))(
        checkTimeZone(p?.timeZone ?? 'UTC'),
      ),
    );
    const since = takeNow(instant('since', p?.since, tz));
    const until = takeNow(instant('until', p?.until, tz));
    return take(
      readTokenReport(ctx.ports, {
        by: p?.by ?? 'dayLocal',
        timeZone: tz,
        localDay: localDayIn(tz),
        // The request's prices add to the server's table (the one shipped, with `serve --pricing FILE`'s), model by model.
        pricing: p?.pricing === undefined || p.pricing === null ? ctx.pricing : withPrices(ctx.pricing, p.pricing),
        ...(since === undefined ? {} : { sinceMs: since }),
        ...(until === undefined ? {} : { untilMs: until }),
      }),
    );
  }),
);
