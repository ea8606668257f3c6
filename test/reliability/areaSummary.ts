/**
 * The reliability suite's one line per area (`npm run test:reliability`): what was tried and what
 * held, as figures, so a run says more than "passing". Each area's spec calls `reportArea` in its
 * `after` hook with its counts (trials, acknowledged lines, lost lines, quarantined, crashes,
 * refused paths, …); zero counts are printed too, so a missing area or a zero is visible.
 */
export const reportArea = (area: string, figures: Readonly<Record<string, number>>): void => {
  const said = Object.entries(figures)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  console.log(`reliability · ${area}: ${said}`);
};
