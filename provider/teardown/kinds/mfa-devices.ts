import {
  DeactivateMFADeviceCommand,
  DeleteVirtualMFADeviceCommand,
  ListMFADevicesCommand,
  type ListMFADevicesCommandOutput,
} from "@aws-sdk/client-iam";
import { isDeleteConflict, isNoSuchEntity } from "../../aws/errors";
import { listAllPages } from "../paging";
import type { DependencyKind } from "../types";

/**
 * MFA devices of every kind. Each is classified from AWS's own answers before anything is removed (see
 * mfa-classifier.ts): virtual devices are deactivated, then deleted, so no orphan stays in the account; hardware
 * TOTP tokens and FIDO security keys are deactivated only, which removes them from the user entirely.
 */
export const mfaDevices: DependencyKind = {
  id: "mfaDevices",
  title: "MFA devices",
  listActions: ["ListMFADevices", "ListVirtualMFADevices"],
  async list(ctx, userName) {
    const listedAt = Date.now();
    const devices = await listAllPages(
      (Marker) => ctx.send<ListMFADevicesCommandOutput>(new ListMFADevicesCommand({ UserName: userName, Marker, MaxItems: ctx.pageSize })),
      (page) => page.MFADevices,
    );
    return Promise.all(
      devices.map(async (d) => ({
        kind: "mfaDevices" as const,
        id: d.SerialNumber!,
        mfaKind: await ctx.virtualMfa.classify(d.SerialNumber!, listedAt),
      })),
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
    if (item.mfaKind === "virtual") {
      try {
        await ctx.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: item.id }));
      } catch (err) {
        // Not enabled for this name, yet still assigned: the device is enabled for a user under another name (this
        // one, renamed during the teardown). It is no orphan, and not this name's to remove: it is gone from here.
        if (notEnabledHere && isDeleteConflict(err)) throw notEnabledHere;
        throw err;
      }
    }
  },
};
