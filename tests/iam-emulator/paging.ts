// Ordered collections and IAM's Marker / MaxItems / IsTruncated paging.
//
// Every item gets a sequence number from one account-wide counter when it is inserted; a
// collection iterates in that order. A Marker names the sequence number of the last item
// returned, so a page walk stays correct while items before or after the marker are removed
// (a teardown that lists, deletes and lists again never skips an item), and finding the next
// page is a binary search rather than a scan from the start.

import { type Params, validationError } from "./protocol";

interface Entry<T> {
  seq: number;
  key: string;
  value: T;
  alive: boolean;
}

export class OrderedIndex<T> {
  private entries: Array<Entry<T>> = [];
  private readonly byKey = new Map<string, Entry<T>>();
  private dead = 0;

  get size(): number {
    return this.byKey.size;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  get(key: string): T | undefined {
    return this.byKey.get(key)?.value;
  }

  /** Inserts at the end with sequence number `seq`; replaces the value in place if the key exists. */
  set(key: string, value: T, seq: number): void {
    const existing = this.byKey.get(key);
    if (existing) {
      existing.value = value;
      return;
    }
    const last = this.entries[this.entries.length - 1];
    if (last && last.seq >= seq) throw new Error(`OrderedIndex: sequence ${seq} is not after ${last.seq}`);
    const e: Entry<T> = { seq, key, value, alive: true };
    this.entries.push(e);
    this.byKey.set(key, e);
  }

  delete(key: string): T | undefined {
    const e = this.byKey.get(key);
    if (!e) return undefined;
    this.byKey.delete(key);
    e.alive = false;
    this.dead++;
    if (this.dead > 32 && this.dead * 2 > this.entries.length) {
      this.entries = this.entries.filter((x) => x.alive);
      this.dead = 0;
    }
    return e.value;
  }

  /** Changes an item's key, keeping its place in the order. */
  rekey(oldKey: string, newKey: string): void {
    if (oldKey === newKey) return;
    const e = this.byKey.get(oldKey);
    if (!e) return;
    this.byKey.delete(oldKey);
    e.key = newKey;
    this.byKey.set(newKey, e);
  }

  *values(): IterableIterator<T> {
    for (const e of this.entries) if (e.alive) yield e.value;
  }

  toArray(): T[] {
    return [...this.values()];
  }

  /** Up to `limit` items after sequence number `afterSeq` that pass `filter`. */
  page(afterSeq: number, limit: number, filter?: (v: T) => boolean): { items: T[]; lastSeq: number; truncated: boolean } {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].seq <= afterSeq) lo = mid + 1;
      else hi = mid;
    }
    const items: T[] = [];
    let lastSeq = afterSeq;
    for (let i = lo; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (!e.alive || (filter && !filter(e.value))) continue;
      if (items.length === limit) return { items, lastSeq, truncated: true };
      items.push(e.value);
      lastSeq = e.seq;
    }
    return { items, lastSeq, truncated: false };
  }
}

export const DEFAULT_MAX_ITEMS = 100;
const MARKER_PREFIX = "iamemu1:";

export function encodeMarker(seq: number): string {
  return Buffer.from(`${MARKER_PREFIX}${seq}`).toString("base64");
}

export function decodeMarker(marker: string | undefined): number {
  if (marker === undefined || marker === "") return 0;
  const text = Buffer.from(marker, "base64").toString("utf8");
  const seq = text.startsWith(MARKER_PREFIX) ? Number(text.slice(MARKER_PREFIX.length)) : NaN;
  if (!Number.isInteger(seq) || seq < 0) throw validationError("Invalid Marker.");
  return seq;
}

/** The page size for a List call: MaxItems (1..1000, default 100), capped by the emulator's maxPageSize. */
export function pageSize(params: Params, cap?: number): number {
  let n = DEFAULT_MAX_ITEMS;
  const raw = params.MaxItems;
  if (raw !== undefined && raw !== "") {
    n = Number(raw);
    if (!Number.isInteger(n))
      throw validationError(
        `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must be an integer`,
      );
    if (n < 1)
      throw validationError(
        `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1`,
      );
    if (n > 1000)
      throw validationError(
        `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000`,
      );
  }
  return cap !== undefined && cap > 0 ? Math.min(n, cap) : n;
}

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

export function paginate<T>(index: OrderedIndex<T>, params: Params, cap?: number, filter?: (v: T) => boolean): Page<T> {
  const limit = pageSize(params, cap);
  const after = decodeMarker(params.Marker);
  const { items, lastSeq, truncated } = index.page(after, limit, filter);
  return { items, IsTruncated: truncated, Marker: truncated ? encodeMarker(lastSeq) : undefined };
}
