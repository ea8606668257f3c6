// The one effect style (domain/effect.ts): its asynchronous and synchronous combinators stop with
// the same private class, so a stop is caught by the nearest runner of either kind and anything
// else thrown passes through both.
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { decide, stop, take, takeNow, useCase } from '../../domain/effect.js';
import { invalidArgument, notFound } from '../../domain/errors.js';

const missing = notFound('thread', 't1');
const refused = invalidArgument('limit', 'must be positive');

describe('effect · the one effect style', () => {
  describe('decide / takeNow (synchronous)', () => {
    it("answers the body's value as Right; takeNow gives a Right's value", () => {
      expect(decide(() => takeNow(E.right(2)) + takeNow(E.right(3)))).to.deep.equal(E.right(5));
    });

    it('answers the first Left taken, and runs nothing after it', () => {
      const ran: string[] = [];
      const answer = decide(() => {
        ran.push('a');
        takeNow(E.left(missing));
        ran.push('b');
        return takeNow(E.left(refused));
      });
      expect(answer).to.deep.equal(E.left(missing));
      expect(ran).to.deep.equal(['a']);
    });

    it('answers the error of a stop', () => {
      expect(decide(() => stop(refused))).to.deep.equal(E.left(refused));
    });

    it('lets anything else thrown (a bug) pass as it is', () => {
      const bug = new TypeError('bug');
      expect(() =>
        decide(() => {
          throw bug;
        }),
      ).to.throw(bug);
    });

    it('takeNow outside a runner throws a stop, not the error: only runners catch it', () => {
      let thrown: unknown;
      try {
        takeNow(E.left(missing));
      } catch (err) {
        thrown = err;
      }
      expect(thrown).to.not.deep.equal(missing);
      expect(thrown).to.have.property('error', missing);
    });

    it('a nested decide keeps its own stop: the outer body goes on', () => {
      const answer = decide(() => {
        const inner = decide(() => takeNow(E.left(missing)));
        return E.isLeft(inner) ? 'inner stopped' : 'inner answered';
      });
      expect(answer).to.deep.equal(E.right('inner stopped'));
    });
  });

  describe('useCase / take (asynchronous)', () => {
    it('takes Either, Promise<Either> and TaskEither alike', async () => {
      const answer = await useCase(async () => {
        const a = await take(E.right(1));
        const b = await take(Promise.resolve(E.right(2)));
        const c = await take(TE.right(3));
        return a + b + c;
      })();
      expect(answer).to.deep.equal(E.right(6));
    });

    it('answers the first Left taken', async () => {
      const answer = await useCase(async () => {
        await take(TE.left(missing));
        return take(TE.left(refused));
      })();
      expect(answer).to.deep.equal(E.left(missing));
    });

    it('a takeNow inside a use case stops the use case', async () => {
      const answer = await useCase(async () => takeNow(E.left(refused)))();
      expect(answer).to.deep.equal(E.left(refused));
    });

    it('lets anything else thrown pass as a rejection', async () => {
      const bug = new RangeError('bug');
      let thrown: unknown;
      try {
        await useCase(async () => {
          throw bug;
        })();
      } catch (err) {
        thrown = err;
      }
      expect(thrown).to.equal(bug);
    });
  });
});
