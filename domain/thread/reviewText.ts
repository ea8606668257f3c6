import type { ReviewOutput } from '../rollout/kinds/legacyItemEvents.js';

export const REVIEW_FALLBACK = 'Reviewer failed to output a response.';

/** Rust `str::lines`: split on \n, drop one trailing \r per line, no empty last line for a final \n. */
const rustLines = (s: string): string[] => {
  if (s === '') return [];
  const parts = s.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((p) => (p.endsWith('\r') ? p.slice(0, -1) : p));
};

/**
 * The text Codex shows for an exited review: the trimmed overall explanation, then the findings
 * block (`Review comment:` / `Full review comments:`, each `- <title> — <path>:<start>-<end>` with
 * the body indented by two spaces), joined by a blank line; a fixed sentence when both are empty.
 */
export const renderReviewOutput = (out: ReviewOutput | null | undefined): string => {
  if (!out) return REVIEW_FALLBACK;
  const sections: string[] = [];
  const explanation = (out.overall_explanation ?? '').trim();
  if (explanation !== '') sections.push(explanation);
  const findings = out.findings ?? [];
  if (findings.length > 0) {
    const lines: string[] = ['', findings.length > 1 ? 'Full review comments:' : 'Review comment:'];
    for (const f of findings) {
      const loc = f.code_location;
      lines.push('');
      lines.push(
        `- ${f.title ?? ''} — ${loc?.absolute_file_path ?? ''}:${loc?.line_range?.start ?? 0}-${loc?.line_range?.end ?? 0}`,
      );
      for (const l of rustLines(f.body ?? '')) lines.push(`  ${l}`);
    }
    const block = lines.join('\n').trim();
    if (block !== '') sections.push(block);
  }
  return sections.length === 0 ? REVIEW_FALLBACK : sections.join('\n\n');
};
