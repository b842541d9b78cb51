import { actionOfAnswer } from "../aws/action";
import type { KindContext } from "./types";

/**
 * A page walk IAM's answers cannot complete: a page says more follows but gives no Marker to ask for it, or gives a
 * Marker the walk already followed (it would never end). Either way the listing is incomplete, and nothing may be
 * concluded from it (not that nothing else hangs on a user).
 */
export class IncompleteListingError extends Error {
  override readonly name = "IncompleteListing";
  /** Read by describeFailure, like the action tagged on IAM's own errors. */
  readonly iamAction: string;
  constructor(
    readonly action: string,
    readonly reason: "truncated-without-marker" | "repeated-marker",
    readonly pages: number,
  ) {
    super(
      `${action} answered page ${pages} ` +
        (reason === "truncated-without-marker"
          ? "as truncated (IsTruncated) but without a Marker to ask for the rest"
          : "with a Marker this listing had already followed, so the walk would never end") +
        `: the listing is incomplete, and nothing is concluded from it`,
    );
    this.iamAction = action;
  }
}

/**
 * Walks every page of an IAM list call (Marker / IsTruncated), the same way for every kind. A page marked truncated
 * without a Marker, or a Marker seen before, ends in an IncompleteListingError naming the call, never in a listing
 * taken for complete.
 */
export async function listAllPages<Page extends { IsTruncated?: boolean; Marker?: string }, Item>(
  fetchPage: (marker: string | undefined) => Promise<Page>,
  itemsOf: (page: Page) => Item[] | undefined,
): Promise<Item[]> {
  const items: Item[] = [];
  const followed = new Set<string>();
  let marker: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await fetchPage(marker);
    items.push(...(itemsOf(page) ?? []));
    if (!page.IsTruncated) return items;
    const call = () => actionOfAnswer(page) ?? "a list call";
    if (!page.Marker) throw new IncompleteListingError(call(), "truncated-without-marker", pages);
    if (followed.has(page.Marker)) throw new IncompleteListingError(call(), "repeated-marker", pages);
    followed.add(page.Marker);
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
