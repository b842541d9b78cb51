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
import type { DependencyItem, Inventory, KindContext, MfaKind, VirtualMfaDirectory } from "./types";

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
  /** When the listing started: every device enabled before this moment is in it. */
  startedAt: number;
  bySerial: Map<string, VirtualDeviceEntry>;
}

/**
 * The account's virtual MFA devices, listed once and shared by every teardown that uses the same client.
 *
 * A serial proves its kind only in two cases: the FIDO form, and a serial that is not an ARN (a hardware vendor
 * serial). An `arn:...:mfa/...` serial may be virtual or hardware, and only the account's virtual device list
 * (ListVirtualMFADevices) says which. That list is account-wide, so it is fetched once per process and reused:
 * tearing down 500 users lists it once, not 500 times. It is fetched again only for an ARN-form serial it does not
 * contain when the snapshot predates the moment that serial was seen (a device enabled during the run).
 */
export class VirtualMfaIndex implements VirtualMfaDirectory {
  private snapshot?: Snapshot;
  private inflight?: Promise<Snapshot>;

  constructor(
    private readonly fetchAll: () => Promise<VirtualDeviceEntry[]>,
    private readonly maxAgeMs = 5 * 60_000,
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

  /** Starts a listing if there is no usable snapshot, without waiting for it. */
  prefetch(): void {
    this.current(0).catch(() => undefined);
  }

  /** A snapshot whose listing started at or after `notBefore` (or the freshest one under way). */
  private current(notBefore: number): Promise<Snapshot> {
    const s = this.snapshot;
    if (s && s.startedAt >= notBefore && Date.now() - s.startedAt < this.maxAgeMs) return Promise.resolve(s);
    if (this.inflight) return this.inflight.then((fresh) => (fresh.startedAt >= notBefore ? fresh : this.current(notBefore)));
    const startedAt = Date.now();
    const listing = this.fetchAll().then(
      (entries) => {
        const snapshot = { startedAt, bySerial: new Map(entries.map((e) => [e.serial, e])) };
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
   * The kind of a device listed for a user at `listedAt`. Decided from the serial's form where that proves the kind,
   * otherwise from the account's virtual device list; never from the error of a mutating call.
   */
  async classify(serial: string, listedAt: number): Promise<MfaKind> {
    if (FIDO_SERIAL.test(serial)) return "fido";
    if (!serial.startsWith("arn:")) return "hardware";
    const known = await this.current(0);
    if (known.bySerial.has(serial)) return "virtual";
    if (known.startedAt >= listedAt) return "hardware";
    // The snapshot predates the device: look once more before calling it hardware.
    const fresh = await this.current(listedAt);
    return fresh.bySerial.has(serial) ? "virtual" : "hardware";
  }

  /** An unassigned virtual device with this serial, if the account has one. */
  async isUnassignedVirtual(serial: string, notBefore: number): Promise<boolean> {
    const s = await this.current(notBefore);
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
  since: number,
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
  const since = Date.now();
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
