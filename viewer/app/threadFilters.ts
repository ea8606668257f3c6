import { byId } from './route.js';

/** On a phone the filters past the search fold away behind one button (the style shows them always elsewhere); it says how many are set. */
export const wireFilters = (): void => {
  const filtersToggle = byId<HTMLButtonElement>('filters-toggle');
  const moreFilters = byId('more-filters');
  filtersToggle.addEventListener('click', () => {
    const opening = !moreFilters.classList.contains('open');
    moreFilters.classList.toggle('open', opening);
    filtersToggle.setAttribute('aria-expanded', String(opening));
  });
  const countFilters = (): void => {
    const set = [...moreFilters.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')].filter((f) =>
      f instanceof HTMLInputElement && f.type === 'checkbox'
        ? f.checked
        : f instanceof HTMLSelectElement
          ? f.selectedIndex > 0
          : f.value.trim() !== '',
    ).length;
    filtersToggle.textContent = set === 0 ? 'Filters' : `Filters (${set})`;
  };
  moreFilters.addEventListener('input', countFilters);
  moreFilters.addEventListener('change', countFilters);
};
