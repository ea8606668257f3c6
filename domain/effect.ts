import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from './errors.js';
import { isEngineError } from './errors.js';

/**
 * The one effect style of every layer (use cases, the indexer, the driven adapters): straight-line
 * async code over ports that answer `TaskEither` / `Either`, run as a `TaskEither`. It lives in
 * domain/ because it is pure and every layer may import domain/.
 *
 * - `take(answer)` gives an answer's value, or stops the use case with its error;
 * - `stop(error)` stops it with an error of its own;
 * - `useCase(body)` runs the body: its value is Right, the error it stopped with Left.
 *
 * A stop is an instance of a private class, so only stops are caught: anything else thrown (a
 * bug) propagates as it is. Async generators inside a use case (page walks) stop the same way;
 * the stop leaves through the `for await` that consumes them.
 *
 * Synchronous code that answers `Either` (decoders, codecs, plugin readers) has the same style without
 * a Promise: `takeNow(answer)` gives an `Either`'s value or stops with its error, `decide(body)` runs
 * the body as an `Either`. They stop with the same private class, so one catch rule holds: a
 * `takeNow` inside a `useCase` stops the use case, a `take` cannot reach a `decide` (it is async).
 * Not for per-line hot paths (the fold, line decoding): a stop is a throw.
 *
 * An answer streamed out of a use case (`streamOfUseCase`) runs after `useCase` returned: its
 * stops leave it as the `EngineError` they carry, thrown, for the transport that writes it;
 * `takeAll` takes such a stream back inside a use case.
 */
class Stop {
  constructor(readonly error: EngineError) {}
}

export const stop = (error: EngineError): never => {
  throw new Stop(error);
};

export const take = async <A>(
  answer: TE.TaskEither<EngineError, A> | E.Either<EngineError, A> | Promise<E.Either<EngineError, A>>,
): Promise<A> => {
  const r = await (typeof answer === 'function' ? answer() : answer);
  if (E.isLeft(r)) throw new Stop(r.left);
  return r.right;
};

export const useCase =
  <A>(body: () => Promise<A>): TE.TaskEither<EngineError, A> =>
  async () => {
    try {
      return E.right(await body());
    } catch (err) {
      if (err instanceof Stop) return E.left(err.error);
      throw err;
    }
  };

/** The synchronous `take`: an `Either`'s value, or a stop with its error. */
export const takeNow = <A>(answer: E.Either<EngineError, A>): A => {
  if (E.isLeft(answer)) throw new Stop(answer.left);
  return answer.right;
};

/** The synchronous `useCase`: the body's value is Right, the error it stopped with (`takeNow`, `stop`) Left. */
export const decide = <A>(body: () => A): E.Either<EngineError, A> => {
  try {
    return E.right(body());
  } catch (err) {
    if (err instanceof Stop) return E.left(err.error);
    throw err;
  }
};

/** A stream answered by a use case, run as its consumer pulls it: a stop inside throws the EngineError it carries. */
export async function* streamOfUseCase<A>(body: () => AsyncGenerator<A>): AsyncGenerator<A> {
  try {
    yield* body();
  } catch (err) {
    if (err instanceof Stop) throw err.error;
    throw err;
  }
}

/** Every element of a use case's stream, in memory; its error stops this use case. */
export const takeAll = async <A>(stream: AsyncIterable<A> | Iterable<A>): Promise<A[]> => {
  const out: A[] = [];
  try {
    for await (const a of stream) out.push(a);
  } catch (err) {
    if (isEngineError(err)) throw new Stop(err);
    throw err;
  }
  return out;
};
