import { ListVirtualMFADevicesCommand, type IAMClient, type ListVirtualMFADevicesCommandOutput } from "@aws-sdk/client-iam";
import { listAllPages } from "./paging";
import type { MfaKind } from "./types";

/** FIDO security keys and passkeys: `arn:aws:iam::<account>:u2f/user/<user>/<id>`. No other kind has this form. */
const FIDO_SERIAL = /^arn:aws[a-z-]*:iam::\d{12}:u2f\//;

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
export class VirtualMfaIndex {
  private snapshot?: Snapshot;
  private inflight?: Promise<Snapshot>;
  /** Number of complete listings made; a figure for tests and the benchmark. */
  listings = 0;

  constructor(
    private readonly fetchAll: () => Promise<VirtualDeviceEntry[]>,
    private readonly maxAgeMs = 5 * 60_000,
  ) {}

  static forClient(client: IAMClient, send: <O>(command: unknown) => Promise<O>, pageSize = 1000): VirtualMfaIndex {
    return new VirtualMfaIndex(async () => {
      const devices = await listAllPages(
        (Marker) =>
          send<ListVirtualMFADevicesCommandOutput>(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Any", Marker, MaxItems: pageSize })),
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
        this.listings++;
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
