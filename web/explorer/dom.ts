// The one DOM lookup the explorer's modules share: an element the page must have, or a clear error.

export function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page lacks #${id}`);
  return e as T;
}
