import { isNoSuchEntity } from "../../aws/errors";
import type { DependencyItem, RecreatedItem } from "../types";

/**
 * What a kind's list learnt of its items beyond their ids (dates, statuses, a certificate's body), kept beside the
 * items for their record and never in them: items travel into plans, logs, outputs and state, records alone hold more.
 */
export class ListedDetails<Detail extends object> {
  private readonly byItem = new WeakMap<DependencyItem, Detail>();

  keep<I extends DependencyItem>(item: I, detail: Detail): I {
    this.byItem.set(item, detail);
    return item;
  }

  /** What the list said of the item; empty for an item this module did not list (one read back from state). */
  of(item: DependencyItem): Partial<Detail> {
    return this.byItem.get(item) ?? {};
  }
}

/** An ISO date, or undefined. */
export const isoDate = (date: Date | undefined): string | undefined => date?.toISOString();

/** A read of one item for its record; NoSuchEntity (it went between the list and the read) is written down as such. */
export async function readForRecord<T extends object>(read: () => Promise<T>): Promise<T | { goneBeforeRecorded: true }> {
  try {
    return await read();
  } catch (err) {
    if (isNoSuchEntity(err)) return { goneBeforeRecorded: true };
    throw err;
  }
}

/**
 * Recreates an item that names something outside the user (a group, a managed policy): when that no longer exists
 * IAM answers NoSuchEntity, and the item is named as missing, never created.
 */
export async function attachExisting(id: string, what: string, attach: () => Promise<unknown>): Promise<RecreatedItem> {
  try {
    await attach();
    return { id, outcome: "recreated" };
  } catch (err) {
    if (isNoSuchEntity(err)) return { id, outcome: "missing", detail: `${what} ${id} no longer exists: not created` };
    throw err;
  }
}
