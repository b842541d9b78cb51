import {
  DeleteSigningCertificateCommand,
  ListSigningCertificatesCommand,
  type ListSigningCertificatesCommandOutput,
  UpdateSigningCertificateCommand,
} from "@aws-sdk/client-iam";
import { listUserPages } from "../paging";
import { defineKind } from "../types";

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
    return certs.map((c) => ({ kind: "signingCertificates", id: c.CertificateId!, status: c.Status }));
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
});
