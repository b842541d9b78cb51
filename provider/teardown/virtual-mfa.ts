/**
 * Everything about virtual MFA devices beyond the user's own list: the account's virtual device index that classifies
 * ARN-form serials, and the devices a user was known to hold that an interrupted or outside deletion left unassigned
 * (orphans), which a teardown deletes and a refresh keeps in the recorded inventory.
 */
import {
  DeleteVirtualMFADeviceCommand,
  type IAMClient,
  ListVirtualMFADevicesCommand,
  type ListVirtualMFADevicesCommandOutput,
} from "@aws-sdk/client-iam";
import { isNoSuchEntity } from "../aws/errors";
import { listAllPages } from "./paging";
import { type RetryBounds, withRetry } from "./retry";
import type { DependencyItem, Inventory, KindContext, ListingMark, MfaKind, VirtualMfaDirectory } from "./types";

/** The MFA kind's id in the registry. */
export const MFA_KIND_ID = "mfaDevices";

/** FIDO security keys and passkeys: `arn:aws:iam::<account>:u2f/user/<user>/<id>`. No other kind has this form. */
const FIDO_SERIAL = /^arn:aws[a-z-]*:iam::\d{12}:u2f\//;

export const MFA_KIND_WORDS: Readonly<Record<MfaKind, string>> = {
  virtual: "virtual",
  hardware: "hardware TOTP",
  fido: "FIDO security key",
};

export interface VirtualDeviceEntry {
  serial: string;
  /** The user the device is enabled for; undefined when unassigned. */
  userName?: string;
}

interface Snapshot {
  /** The listing's place in the order listings started: every change made before a mark below it is in it. */
  generation: number;
  /** When the listing started, on the index's clock: only its age is read from this. */
  startedAt: number;
  bySerial: Map<string, VirtualDeviceEntry>;
}

/** Before every listing: any snapshot will do. */
const ANY_LISTING = 0 as ListingMark;

/**
 * The account's virtual MFA devices, listed once and shared by every teardown that uses the same client.
 *
 * A serial proves its kind only in two cases: the FIDO form, and a serial that is not an ARN (a hardware vendor
 * serial). An `arn:...:mfa/...` serial may be virtual or hardware, and only the account's virtual device list
 * (ListVirtualMFADevices) says which. That list is account-wide, so it is fetched once per process and reused:
 * tearing down 500 users lists it once, not 500 times. It is fetched again only for an ARN-form serial it does not
 * contain when the snapshot started before the mark taken as that serial was seen (a device enabled during the run).
 *
 * Freshness is decided by order, not by time: each listing is numbered as it starts, and a caller that needs one
 * begun after some moment takes a `mark()` there. Two events in the same clock tick stay ordered this way, where
 * comparing milliseconds would reuse a listing that started just before a change it has to see.
 */
export class VirtualMfaIndex implements VirtualMfaDirectory {
  private snapshot?: Snapshot;
  private inflight?: Promise<Snapshot>;
  private listingsStarted = 0;

  constructor(
    private readonly fetchAll: () => Promise<VirtualDeviceEntry[]>,
    private readonly maxAgeMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  static forClient(_client: IAMClient, send: <O>(command: unknown) => Promise<O>, pageSize = 1000): VirtualMfaIndex {
    return new VirtualMfaIndex(async () => {
      const devices = await listAllPages(
        (Marker) =>
          send<ListVirtualMFADevicesCommandOutput>(
            new ListVirtualMFADevicesCommand({ AssignmentStatus: "Any", Marker, MaxItems: pageSize }),
          ),
        (page) => page.VirtualMFADevices,
      );
      return devices.map((d) => ({ serial: d.SerialNumber!, userName: d.User?.UserName }));
    });
  }

  /** This moment in the order of listings: a listing started after it sees every change made before it. */
  mark(): ListingMark {
    return this.listingsStarted as ListingMark;
  }

  /** Starts a listing if there is no usable snapshot, without waiting for it. */
  prefetch(): void {
    this.current(ANY_LISTING).catch(() => undefined);
  }

  /** A snapshot whose listing started after `after` was taken (or the freshest one under way, if that did). */
  private current(after: ListingMark): Promise<Snapshot> {
    const s = this.snapshot;
    if (s && s.generation > after && this.now() - s.startedAt < this.maxAgeMs) return Promise.resolve(s);
    if (this.inflight) return this.inflight.then((fresh) => (fresh.generation > after ? fresh : this.current(after)));
    const generation = ++this.listingsStarted;
    const startedAt = this.now();
    const listing = this.fetchAll().then(
      (entries) => {
        const snapshot = { generation, startedAt, bySerial: new Map(entries.map((e) => [e.serial, e])) };
        this.snapshot = snapshot;
        this.inflight = undefined;
        return snapshot;
      },
      (err) => {
        this.inflight = undefined;
        throw err;
      },
    );
    this.inflight = listing;
    return listing;
  }

  /**
   * The kind of a device on a user's list that began after `listedAfter` was taken. Decided from the serial's form
   * where that proves the kind, otherwise from the account's virtual device list; never from the error of a mutating
   * call.
   */
  async classify(serial: string, listedAfter: ListingMark): Promise<MfaKind> {
    if (FIDO_SERIAL.test(serial)) return "fido";
    if (!serial.startsWith("arn:")) return "hardware";
    const known = await this.current(ANY_LISTING);
    if (known.bySerial.has(serial)) return "virtual";
    if (known.generation > listedAfter) return "hardware";
    // The snapshot predates the device: look once more before calling it hardware.
    const fresh = await this.current(listedAfter);
    return fresh.bySerial.has(serial) ? "virtual" : "hardware";
  }

  /** An unassigned virtual device with this serial, per a listing started after `after` was taken. */
  async isUnassignedVirtual(serial: string, after: ListingMark): Promise<boolean> {
    const s = await this.current(after);
    const entry = s.bySerial.get(serial);
    return entry !== undefined && entry.userName === undefined;
  }
}

/** A virtual device as an item of the MFA kind. */
export const virtualDeviceItem = (serial: string): DependencyItem => ({ kind: MFA_KIND_ID, id: serial, mfaKind: "virtual" });

/** The virtual devices an inventory lists. */
export const virtualSerialsOf = (inventory: Inventory | undefined): string[] =>
  (inventory?.[MFA_KIND_ID] ?? []).filter((d) => d.mfaKind === "virtual").map((d) => d.id);

/**
 * Of the virtual devices recorded as the user's and not on its list any more, those that still exist unassigned: an
 * interrupted run (or the user's deletion) deactivated them and nothing deleted them. Only serials this user was seen
 * holding qualify, so nobody else's device is ever touched. Costs nothing unless a recorded device is missing.
 */
export async function recordedOrphans(
  virtualMfa: VirtualMfaDirectory,
  recorded: Iterable<string>,
  listed: Iterable<string>,
  since: ListingMark,
  bounds?: RetryBounds,
): Promise<string[]> {
  const onList = new Set(listed);
  const orphans: string[] = [];
  for (const serial of recorded) {
    if (onList.has(serial)) continue;
    const check = () => virtualMfa.isUnassignedVirtual(serial, since);
    if (await (bounds ? withRetry(check, bounds) : check())) orphans.push(serial);
  }
  return orphans;
}

/**
 * Keeps, in a freshly listed inventory, the virtual MFA devices recorded as the user's that no longer hang on it but
 * still exist unassigned: an interrupted destroy deactivated them and did not get to delete them. Only the serials in
 * the stack lead the next destroy to them (as knownVirtualMfaSerials), so a refresh or update in between, which
 * Pulumi suggests after an interrupted run, must not forget them. They are counted (the destroy removes them) and
 * marked unassigned.
 */
export async function keepRecordedOrphans(
  virtualMfa: VirtualMfaDirectory,
  recorded: Iterable<string>,
  current: Inventory,
  since: ListingMark,
): Promise<Inventory> {
  const listed = (current[MFA_KIND_ID] ?? []).map((d) => d.id);
  const orphans = await recordedOrphans(virtualMfa, recorded, listed, since);
  if (orphans.length === 0) return current;
  const kept = orphans.map((serial) => ({ ...virtualDeviceItem(serial), unassigned: true }));
  return { ...current, [MFA_KIND_ID]: [...(current[MFA_KIND_ID] ?? []), ...kept] };
}

/**
 * Deletes the orphans among `held` once the user is gone (deleting a user deactivates its virtual devices without
 * deleting them). One fresh listing of the account's virtual devices serves every candidate; a device gone meanwhile
 * is skipped. `onDeleted` hears of each deletion as it happens, so a later failure reports what went before it.
 */
export async function deleteOrphans(
  ctx: KindContext,
  held: Iterable<string>,
  bounds: RetryBounds,
  onDeleted: (item: DependencyItem) => void,
): Promise<void> {
  const since = ctx.virtualMfa.mark();
  for (const serial of held) {
    try {
      if ((await recordedOrphans(ctx.virtualMfa, [serial], [], since, bounds)).length === 0) continue;
      await withRetry(() => ctx.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })), bounds);
      onDeleted(virtualDeviceItem(serial));
    } catch (err) {
      if (!isNoSuchEntity(err)) throw err;
    }
  }
}
