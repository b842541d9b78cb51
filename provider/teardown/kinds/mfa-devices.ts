import {
  DeactivateMFADeviceCommand,
  DeleteVirtualMFADeviceCommand,
  ListMFADevicesCommand,
  type ListMFADevicesCommandOutput,
} from "@aws-sdk/client-iam";
import { isDeleteConflict, isNoSuchEntity } from "../../aws/errors";
import { listUserPages } from "../paging";
import { type DependencyItem, defineKind, type MfaKind } from "../types";
import { MFA_KIND_ID, MFA_KIND_WORDS } from "../virtual-mfa";
import { isoDate, ListedDetails } from "./listed";

const listed = new ListedDetails<{ enableDate?: string }>();

const MFA_KINDS: readonly MfaKind[] = ["virtual", "hardware", "fido"];
const UNASSIGNED_MARK = " (unassigned)";

/** A device as the recorded inventory names it ("virtual arn:aws:iam::...:mfa/ana (unassigned)"); undefined if it is not one. */
export function parseMfaOutputId(text: string): DependencyItem | undefined {
  const m = /^(virtual|hardware|fido) (\S+)( \(unassigned\))?$/.exec(text);
  if (!m) return undefined;
  return { kind: MFA_KIND_ID, id: m[2], mfaKind: m[1] as MfaKind, ...(m[3] ? { unassigned: true } : {}) };
}

/**
 * MFA devices of every kind. Each is classified from AWS's own answers before anything is removed (see
 * virtual-mfa.ts): virtual devices are deactivated, then deleted, so no orphan stays in the account; hardware
 * TOTP tokens and FIDO security keys are deactivated only, which removes them from the user entirely.
 */
export const mfaDevices = defineKind({
  id: MFA_KIND_ID,
  singular: "MFA device",
  title: "MFA devices",
  namedByUserOnly: false,
  listActions: ["ListMFADevices", "ListVirtualMFADevices"],
  async list(ctx, userName) {
    const listedAfter = ctx.virtualMfa.mark();
    const devices = await listUserPages(
      ctx,
      userName,
      (input) => new ListMFADevicesCommand(input),
      (page: ListMFADevicesCommandOutput) => page.MFADevices,
    );
    return Promise.all(
      devices.map(async (d) =>
        listed.keep(
          { kind: MFA_KIND_ID, id: d.SerialNumber!, mfaKind: await ctx.virtualMfa.classify(d.SerialNumber!, listedAfter) },
          { enableDate: isoDate(d.EnableDate) },
        ),
      ),
    );
  },
  removalActions: (item) => (item.mfaKind === "virtual" ? ["DeactivateMFADevice", "DeleteVirtualMFADevice"] : ["DeactivateMFADevice"]),
  async remove(ctx, userName, item) {
    let notEnabledHere: unknown;
    try {
      await ctx.send(new DeactivateMFADeviceCommand({ UserName: userName, SerialNumber: item.id }));
    } catch (err) {
      // A virtual device deactivated earlier (say, by an interrupted run) still has to be deleted.
      if (!(isNoSuchEntity(err) && item.mfaKind === "virtual")) throw err;
      notEnabledHere = err;
    }
    if (item.mfaKind !== "virtual") return;
    try {
      await ctx.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: item.id }));
    } catch (err) {
      // Not enabled for this name, yet still assigned: the device is enabled for a user under another name (this
      // one, renamed during the teardown). It is no orphan, and not this name's to remove: it is gone from here.
      if (notEnabledHere && isDeleteConflict(err)) throw notEnabledHere;
      throw err;
    }
  },
  describe: (item) => `${item.mfaKind ? `${MFA_KIND_WORDS[item.mfaKind]} ` : ""}MFA device ${item.id}`,
  countDetail: (items) =>
    MFA_KINDS.map((k) => [k, items.filter((i) => i.mfaKind === k).length] as const)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${MFA_KIND_WORDS[k]}`)
      .join(", "),
  // In the recorded inventory each device reads "<kind> <serial>"; parseMfaOutputId reads it back.
  outputId: (item) => `${item.mfaKind ?? "hardware"} ${item.id}${item.unassigned ? UNASSIGNED_MARK : ""}`,
  tallies: [
    { singular: "virtual MFA device", plural: "virtual MFA devices", matches: (item) => item.mfaKind === "virtual" },
    { singular: "hardware TOTP token", plural: "hardware TOTP tokens", matches: (item) => (item.mfaKind ?? "hardware") === "hardware" },
    { singular: "FIDO security key", plural: "FIDO security keys", matches: (item) => item.mfaKind === "fido" },
  ],
  outputExtra: (items): { devices: Array<{ serial: string; kind: MfaKind }> } => ({
    devices: items.map((d) => ({ serial: d.id, kind: d.mfaKind ?? "hardware" })).sort((a, b) => a.serial.localeCompare(b.serial)),
  }),
  recordItems: async (_ctx, _userName, items) =>
    items.map((item) => ({
      id: item.id,
      mfaKind: item.mfaKind ?? "hardware",
      ...listed.of(item),
      ...(item.unassigned ? { unassigned: true } : {}),
    })),
  cannotRestore: "a device's seed (or the key itself) is never recorded: the person enrolls an MFA device again",
});
