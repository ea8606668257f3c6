import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { EngineError } from '../../../domain/errors.js';
import { invalidArgument } from '../../../domain/errors.js';
import type { DecodeProblem } from '../../../domain/decodeErrors.js';
import { describeDecodeErrors } from '../../../domain/decodeErrors.js';
import { reportError } from './exitCodes.js';
import { paramsRefusal } from '../../../protocol/requestErrors.js';

/** A type a params field may also be to say "absent": an option that was given is neither. */
const ABSENT = new Set(['null', 'undefined']);

const sentence = (p: DecodeProblem, within: string): string => {
  const expected = p.expected.filter((x) => !ABSENT.has(x));
  return `${within === '' ? '' : `${within}: `}expected ${(expected.length > 0 ? expected : p.expected).join(' or ')}, got ${p.got}`;
};

/** io-ts errors as InvalidArgument, each sentence under the option the user typed for its field. */
const refusal = (errors: t.Errors, optionOf: Readonly<Record<string, string>>): EngineError => {
  const { problems, messages } = describeDecodeErrors(errors);
  const byOption = new Map<string, string[]>();
  for (const p of problems) {
    const [field = '', ...within] = p.path.split('.');
    // The root's own problems are the params object being null or undefined: not a user's doing.
    if (field === '' && p.expected.every((x) => ABSENT.has(x))) continue;
    const option = optionOf[field] ?? field;
    byOption.set(option, [...(byOption.get(option) ?? []), sentence(p, within.join('.'))]);
  }
  const [first, ...others] = [...byOption];
  if (first === undefined) return invalidArgument('options', messages.join('; '));
  const reason = [first[1].join('; '), ...others.map(([option, s]) => `${option}: ${s.join('; ')}`), ...messages].join(
    '; ',
  );
  return invalidArgument(first[0], reason);
};

/**
 * A command's request, built from its options, decoded by the command's own codec (`serve`,
 * `view`, `mirror`, …: settings no method takes). Every problem is reported under the option the
 * user typed (`optionOf`: request field → option), as InvalidArgument (exit 2). A view of a method
 * decodes with `decodeMethodRequest` instead.
 */
export const decodeRequest = <P>(
  codec: t.Decoder<unknown, P>,
  request: Readonly<Record<string, unknown>>,
  optionOf: Readonly<Record<string, string>>,
): E.Either<EngineError, P> => E.mapLeft((errors: t.Errors) => refusal(errors, optionOf))(codec.decode(request));

/**
 * A command's request decoded by the params codec of the method it is a view of (the CLI accepts
 * exactly what `serve` accepts, and the use case gets what the method's handler would), refused as
 * `serve` refuses the same params (protocol/requestErrors.ts, Codex's serde words: the first value
 * serde would stop at), said under the option the user typed for its field (InvalidArgument, exit
 * 2): one bad value, one answer, from either transport.
 */
export const decodeMethodRequest = <P>(
  codec: t.Decoder<unknown, P>,
  request: Readonly<Record<string, unknown>>,
  optionOf: Readonly<Record<string, string>>,
): E.Either<EngineError, P> =>
  E.mapLeft((errors: t.Errors) => {
    const { field, sentence } = paramsRefusal(errors, request);
    return invalidArgument(optionOf[field] ?? (field === '' ? 'options' : field), sentence);
  })(codec.decode(request));

/** A request refused before it is decoded (an option the codec cannot see, a file that cannot be read). */
export const refused = (error: EngineError): E.Either<EngineError, never> => E.left(error);

/** Go on with the decoded request, or say why the options were refused (as `--json` asks) and exit 2. */
export const withRequest = async <P>(
  opts: { readonly json?: boolean },
  request: E.Either<EngineError, P>,
  then: (p: P) => Promise<void>,
): Promise<void> => {
  if (E.isLeft(request)) return reportError(request.left, opts.json);
  await then(request.right);
};
