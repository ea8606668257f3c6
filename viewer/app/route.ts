// The page's elements by id and the URL's hash (`#thread=ID&turn=ID`), the viewer's route.

export const byId = <T extends HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node as T;
};

export const route = (): { thread: string | null; turn: string | null } => {
  const hash = new URLSearchParams(location.hash.slice(1));
  return { thread: hash.get('thread'), turn: hash.get('turn') };
};

export const setRoute = (thread: string, turn: string | null): void => {
  const hash = new URLSearchParams({ thread, ...(turn === null ? {} : { turn }) });
  history.replaceState(null, '', `#${hash.toString()}`);
};
