import {
  DeleteSigningCertificateCommand,
  ListSigningCertificatesCommand,
  type ListSigningCertificatesCommandOutput,
} from "@aws-sdk/client-iam";
import { listAllPages } from "../paging";
import type { DependencyKind } from "../types";

export const signingCertificates: DependencyKind = {
  id: "signingCertificates",
  title: "signing certificates",
  listActions: ["ListSigningCertificates"],
  async list(ctx, userName) {
    const certs = await listAllPages(
      (Marker) =>
        ctx.send<ListSigningCertificatesCommandOutput>(new ListSigningCertificatesCommand({ UserName: userName, Marker, MaxItems: ctx.pageSize })),
      (page) => page.Certificates,
    );
    return certs.map((c) => ({ kind: "signingCertificates", id: c.CertificateId! }));
  },
  removalActions: () => ["DeleteSigningCertificate"],
  async remove(ctx, userName, item) {
    await ctx.send(new DeleteSigningCertificateCommand({ UserName: userName, CertificateId: item.id }));
  },
};
