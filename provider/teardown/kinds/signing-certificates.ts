import {
  DeleteSigningCertificateCommand,
  ListSigningCertificatesCommand,
  type ListSigningCertificatesCommandOutput,
  UpdateSigningCertificateCommand,
  UploadSigningCertificateCommand,
  type UploadSigningCertificateCommandOutput,
} from "@aws-sdk/client-iam";
import { listUserPages } from "../paging";
import { defineKind } from "../types";
import { isoDate, ListedDetails } from "./listed";

const listed = new ListedDetails<{ status?: string; uploadDate?: string; body?: string }>();

export const signingCertificates = defineKind({
  id: "signingCertificates",
  singular: "signing certificate",
  title: "signing certificates",
  namedByUserOnly: false,
  listActions: ["ListSigningCertificates"],
  async list(ctx, userName) {
    const certs = await listUserPages(
      ctx,
      userName,
      (input) => new ListSigningCertificatesCommand(input),
      (page: ListSigningCertificatesCommandOutput) => page.Certificates,
    );
    return certs.map((c) =>
      listed.keep(
        { kind: "signingCertificates", id: c.CertificateId!, status: c.Status },
        { status: c.Status, uploadDate: isoDate(c.UploadDate), body: c.CertificateBody },
      ),
    );
  },
  removalActions: () => ["DeleteSigningCertificate"],
  async remove(ctx, userName, item) {
    await ctx.send(new DeleteSigningCertificateCommand({ UserName: userName, CertificateId: item.id }));
  },
  statusSwitch: {
    action: "UpdateSigningCertificate",
    async set(ctx, userName, item, status) {
      await ctx.send(new UpdateSigningCertificateCommand({ UserName: userName, CertificateId: item.id, Status: status }));
    },
  },
  recordItems: async (_ctx, _userName, items) => items.map((item) => ({ id: item.id, ...listed.of(item) })),
  restore: {
    actions: ["UploadSigningCertificate", "UpdateSigningCertificate"],
    async recreate(ctx, userName, entry) {
      if (typeof entry.body !== "string") return { id: entry.id, outcome: "missing", detail: "the record holds no body for it" };
      const out = await ctx.send<UploadSigningCertificateCommandOutput>(
        new UploadSigningCertificateCommand({ UserName: userName, CertificateBody: entry.body }),
      );
      const newId = out.Certificate!.CertificateId!;
      // An upload is active: a certificate recorded inactive must not come back able to sign.
      if (entry.status === "Inactive")
        await ctx.send(new UpdateSigningCertificateCommand({ UserName: userName, CertificateId: newId, Status: "Inactive" }));
      return { id: entry.id, outcome: "recreated", newId };
    },
  },
});
