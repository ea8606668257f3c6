import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import { invalidArgument } from '../../../domain/errors.js';
import { paramsAt, serverVersionOf, spokenAt, unspokenParams } from '../../../protocol/codexVersions.js';
import { methodAnswerAt } from '../../../protocol/itemDeltas.js';
import type { CodexVersion, Versioned } from '../../../protocol/codexVersions.js';

/** A view of a method at the Codex version it speaks: its request as that version means it, and its result as that version answers it. */
export interface SpokenAs {
  readonly version: CodexVersion;
  readonly request: unknown;
  readonly answerAt: (answer: unknown) => unknown;
}

/**
 * A view of a method as the Codex version `--codex-version` names (else
 * `ROLLOUT_ENGINE_CODEX_VERSION`, else the newest) speaks it, through the declarations `serve`
 * reads (`codexVersions.ts`): a version we do not speak is refused, and so is a method that
 * version does not have. An option whose param that version does not have is refused under the
 * option's name, where `serve` drops the param as that Codex's serde ignores it: a person who
 * typed the option is told, not answered as if it were not there.
 */
export const spokenAs = (
  method: Versioned & { readonly name: string },
  opts: { readonly codexVersion?: string },
  request: Readonly<Record<string, unknown>>,
  optionOf: Readonly<Record<string, string>>,
): E.Either<EngineError, SpokenAs> => {
  const chosen = serverVersionOf(opts.codexVersion, process.env['ROLLOUT_ENGINE_CODEX_VERSION']);
  if ('refused' in chosen) return E.left(invalidArgument('--codex-version', chosen.refused));
  const { version } = chosen;
  if (!spokenAt(method, version))
    return E.left(invalidArgument('--codex-version', `Codex ${version} has no method ${method.name}`));
  const [unspoken] = unspokenParams(method, version, request);
  if (unspoken !== undefined)
    return E.left(
      invalidArgument(optionOf[unspoken] ?? unspoken, `Codex ${version} has no param ${unspoken} (--codex-version)`),
    );
  return E.right({
    version,
    request: paramsAt(method, version, request),
    answerAt: (answer) => methodAnswerAt(method, version, answer),
  });
};
