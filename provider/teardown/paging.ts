import type { KindContext } from "./types";

/** Walks every page of an IAM list call (Marker / IsTruncated), the same way for every kind. */
export async function listAllPages<Page extends { IsTruncated?: boolean; Marker?: string }, Item>(
  fetchPage: (marker: string | undefined) => Promise<Page>,
  itemsOf: (page: Page) => Item[] | undefined,
): Promise<Item[]> {
  const items: Item[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await fetchPage(marker);
    items.push(...(itemsOf(page) ?? []));
    if (!page.IsTruncated || !page.Marker) return items;
    marker = page.Marker;
  }
}

/**
 * Every page of a per-user list call: `command` builds the call from UserName, Marker and MaxItems (the context's page
 * size), `itemsOf` picks the page's items.
 */
export function listUserPages<Page extends { IsTruncated?: boolean; Marker?: string }, Item>(
  ctx: KindContext,
  userName: string,
  command: (input: { UserName: string; Marker?: string; MaxItems: number }) => unknown,
  itemsOf: (page: Page) => Item[] | undefined,
): Promise<Item[]> {
  return listAllPages((Marker) => ctx.send<Page>(command({ UserName: userName, Marker, MaxItems: ctx.pageSize })), itemsOf);
}
