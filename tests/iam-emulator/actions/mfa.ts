// MFA devices: virtual (authenticator apps), hardware TOTP tokens and FIDO security keys.
//
// Only virtual devices can be created and enabled through the API here; hardware tokens and
// FIDO keys come from seeding or state helpers. DeactivateMFADevice removes hardware and FIDO
// devices entirely and leaves a virtual device in the account, unassigned.

import { memberStructs, noSuchEntity, requireParam, validationError, XmlBlob, XmlMap } from "../protocol";
import { validateName } from "../state";
import { type ActionContext, type ActionTable, pageOf, param, targetUser } from "./common";

function authCode(ctx: ActionContext, name: string): void {
  const v = requireParam(ctx.params, name);
  if (!/^\d{6}$/.test(v)) {
    throw validationError(
      `1 validation error detected: Value '${v}' at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]+ and length 6`,
    );
  }
}

export const mfaActions: ActionTable = {
  CreateVirtualMFADevice(ctx) {
    const name = requireParam(ctx.params, "VirtualMFADeviceName");
    const tags = memberStructs(ctx.params, "Tags").map((t): [string, string] => [t.Key ?? "", t.Value ?? ""]);
    const device = ctx.state.createVirtualMfaDevice(name, param(ctx, "Path") ?? "/", tags);
    ctx.resource = device.serialNumber;
    return {
      VirtualMFADevice: {
        SerialNumber: device.serialNumber,
        Base32StringSeed: new XmlBlob(Buffer.from(device.base32Seed)),
        QRCodePNG: new XmlBlob(device.qrCodePng),
      },
    };
  },

  EnableMFADevice(ctx) {
    const name = requireParam(ctx.params, "UserName");
    validateName(name, "userName", 64);
    const serial = requireParam(ctx.params, "SerialNumber");
    ctx.userName = name;
    ctx.resource = serial;
    authCode(ctx, "AuthenticationCode1");
    authCode(ctx, "AuthenticationCode2");
    const user = ctx.state.requireUser(name);
    ctx.userName = user.userName;
    ctx.state.enableMfaDevice(user.userName, serial);
    return undefined;
  },

  DeactivateMFADevice(ctx) {
    const serial = requireParam(ctx.params, "SerialNumber");
    ctx.resource = serial;
    const user = targetUser(ctx);
    ctx.state.deactivateMfaDevice(user.userName, serial);
    return undefined;
  },

  DeleteVirtualMFADevice(ctx) {
    const serial = requireParam(ctx.params, "SerialNumber");
    ctx.resource = serial;
    const owner = ctx.state.virtualMfaDevices.get(serial)?.user ?? ctx.state.mfaOwner(serial);
    if (owner) ctx.userName = owner.userName;
    ctx.state.deleteVirtualMfaDevice(serial);
    return undefined;
  },

  ListMFADevices(ctx) {
    const user = targetUser(ctx);
    const page = pageOf(ctx, user.mfaDevices, (m) => ({
      UserName: user.userName,
      SerialNumber: m.serialNumber,
      EnableDate: m.enableDate,
    }));
    return { MFADevices: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  ListVirtualMFADevices(ctx) {
    const status = param(ctx, "AssignmentStatus") ?? "Any";
    if (status !== "Assigned" && status !== "Unassigned" && status !== "Any") {
      throw validationError(
        `1 validation error detected: Value '${status}' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Unassigned, Any, Assigned]`,
      );
    }
    const filter =
      status === "Any" ? undefined : status === "Assigned" ? (d: { user?: unknown }) => !!d.user : (d: { user?: unknown }) => !d.user;
    const page = pageOf(
      ctx,
      ctx.state.virtualMfaDevices,
      (d) => ({
        SerialNumber: d.serialNumber,
        User: d.user
          ? { Path: d.user.path, UserName: d.user.userName, UserId: d.user.userId, Arn: d.user.arn, CreateDate: d.user.createDate }
          : undefined,
        EnableDate: d.enableDate,
      }),
      filter,
    );
    return { VirtualMFADevices: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  GetMFADevice(ctx) {
    const serial = requireParam(ctx.params, "SerialNumber");
    ctx.resource = serial;
    const named = param(ctx, "UserName");
    const owner = ctx.state.mfaOwner(serial);
    if (named !== undefined) {
      validateName(named, "userName", 64);
      ctx.userName = named;
      ctx.state.requireUser(named);
    }
    const rec = owner?.mfaDevices.get(serial);
    if (!owner || !rec || rec.kind !== "fido" || (named !== undefined && owner.userName.toLowerCase() !== named.toLowerCase())) {
      throw noSuchEntity(`MFA Device with serial number ${serial} does not exist.`);
    }
    ctx.userName = owner.userName;
    return {
      UserName: owner.userName,
      SerialNumber: serial,
      EnableDate: rec.enableDate,
      Certifications: new XmlMap([["FIDO", "L1"]]),
    };
  },
};
