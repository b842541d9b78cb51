// MFA devices of the three kinds: virtual devices (account-level, assigned to a user by
// EnableMFADevice), hardware TOTP tokens and FIDO security keys (seeding and tests only).

import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchEntity } from "../protocol";
import { CredentialState } from "./credentials";
import type { MfaKind, UserMfaRecord, UserRecord, VirtualMfaRecord } from "./records";
import { LIMITS, validateName, validatePath, validateTags } from "./rules";

export class MfaState extends CredentialState {
  /** Every assigned MFA serial (any kind) to its user. */
  protected readonly mfaOwners = new Map<string, UserRecord>();

  virtualMfaSerial(name: string, path = "/"): string {
    return `arn:aws:iam::${this.accountId}:mfa${path}${name}`;
  }

  createVirtualMfaDevice(name: string, path = "/", tags: Array<[string, string]> = []): VirtualMfaRecord {
    validateName(name, "virtualMFADeviceName", 226);
    validatePath(path);
    const serial = this.virtualMfaSerial(name, path);
    if (this.virtualMfaDevices.has(serial)) {
      throw entityAlreadyExists("MFADevice entity at the same path and name already exists.");
    }
    validateTags(tags);
    const device: VirtualMfaRecord = {
      serialNumber: serial,
      name,
      path,
      base32Seed: this.ids.id("", 64, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
      qrCodePng: Buffer.from(`\x89PNG\r\n\x1a\n${serial}`, "latin1"),
      tags: new Map(tags),
    };
    this.virtualMfaDevices.set(serial, device, this.nextSeq());
    return device;
  }

  private assignMfa(user: UserRecord, serial: string, kind: MfaKind): UserMfaRecord {
    if (user.mfaDevices.size >= LIMITS.mfaDevicesPerUser) {
      throw limitExceeded(`Cannot exceed quota for MFADevicesPerUser: ${LIMITS.mfaDevicesPerUser}`);
    }
    const rec: UserMfaRecord = { serialNumber: serial, kind, enableDate: this.now() };
    user.mfaDevices.set(serial, rec, this.nextSeq());
    this.mfaOwners.set(serial, user);
    return rec;
  }

  /** EnableMFADevice for a virtual device of this account (the only kind the API can enable). */
  enableMfaDevice(userName: string, serialNumber: string): UserMfaRecord {
    const user = this.requireUser(userName);
    const device = this.virtualMfaDevices.get(serialNumber);
    if (!device) throw noSuchEntity(`VirtualMFADevice with serial number ${serialNumber} doesn't exist.`);
    if (device.user) throw entityAlreadyExists("MFA Device is already in use.");
    const rec = this.assignMfa(user, serialNumber, "virtual");
    device.user = user;
    device.enableDate = rec.enableDate;
    return rec;
  }

  /** A FIDO security key registered for the user (no API can do this; seeding and tests only). */
  addFidoDevice(userName: string): string {
    const user = this.requireUser(userName);
    const serial = `arn:aws:iam::${this.accountId}:u2f/user/${user.userName}/fido-${this.ids.id("", 26, "abcdefghijklmnopqrstuvwxyz234567")}`;
    this.assignMfa(user, serial, "fido");
    return serial;
  }

  /** A hardware TOTP token (vendor serial) registered for the user (no API can do this; seeding and tests only). */
  addHardwareDevice(userName: string, serial?: string): string {
    const user = this.requireUser(userName);
    const s = serial ?? this.ids.id("GAHT", 8, "0123456789");
    if (this.mfaOwners.has(s)) throw entityAlreadyExists("MFA Device is already in use.");
    this.assignMfa(user, s, "hardware");
    return s;
  }

  /** The user holding an MFA serial (any kind), if assigned. */
  mfaOwner(serialNumber: string): UserRecord | undefined {
    return this.mfaOwners.get(serialNumber);
  }

  /** DeactivateMFADevice: hardware and FIDO devices vanish; a virtual device stays in the account, unassigned. */
  deactivateMfaDevice(userName: string, serialNumber: string): void {
    const user = this.requireUser(userName);
    const rec = user.mfaDevices.get(serialNumber);
    if (!rec) throw noSuchEntity(`MFA Device with serial number ${serialNumber} does not exist.`);
    user.mfaDevices.delete(serialNumber);
    this.mfaOwners.delete(serialNumber);
    if (rec.kind === "virtual") {
      const device = this.virtualMfaDevices.get(serialNumber);
      if (device) {
        device.user = undefined;
        device.enableDate = undefined;
      }
    }
    this.noteRemoval(user, "mfaDevices");
  }

  /** DeleteVirtualMFADevice: NoSuchEntity for anything that is not a virtual device; DeleteConflict while assigned. */
  deleteVirtualMfaDevice(serialNumber: string): void {
    const device = this.virtualMfaDevices.get(serialNumber);
    if (!device) throw noSuchEntity(`VirtualMFADevice with serial number ${serialNumber} doesn't exist.`);
    if (device.user) throw deleteConflict("MFA VirtualDevice in use. Must deactivate first.");
    this.virtualMfaDevices.delete(serialNumber);
  }

  /** The user's MFA devices of every kind, in enable order. */
  mfaDevicesOf(userName: string): Array<{ serial: string; kind: MfaKind; enableDate: Date }> {
    return this.requireUser(userName)
      .mfaDevices.toArray()
      .map((m) => ({ serial: m.serialNumber, kind: m.kind, enableDate: m.enableDate }));
  }

  /** The account's virtual MFA devices (assigned or not), in creation order. */
  listVirtualMfaDevices(
    status: "Assigned" | "Unassigned" | "Any" = "Any",
  ): Array<{ serial: string; userName?: string; enableDate?: Date }> {
    const out: Array<{ serial: string; userName?: string; enableDate?: Date }> = [];
    for (const d of this.virtualMfaDevices.values()) {
      if (status === "Assigned" && !d.user) continue;
      if (status === "Unassigned" && d.user) continue;
      out.push({ serial: d.serialNumber, userName: d.user?.userName, enableDate: d.enableDate });
    }
    return out;
  }
}
