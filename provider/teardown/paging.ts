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
