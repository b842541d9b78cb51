import {
  DeleteServiceSpecificCredentialCommand,
  ListServiceSpecificCredentialsCommand,
  type ListServiceSpecificCredentialsCommandOutput,
} from "@aws-sdk/client-iam";
import { listAllPages } from "../paging";
import type { DependencyKind } from "../types";

/** Credentials for every service at once (CodeCommit, Keyspaces, Bedrock API keys, ...): no ServiceName filter. */
export const serviceSpecificCredentials: DependencyKind = {
  id: "serviceSpecificCredentials",
  title: "service-specific credentials",
  listActions: ["ListServiceSpecificCredentials"],
  async list(ctx, userName) {
    const creds = await listAllPages(
      (Marker) =>
        ctx.send<ListServiceSpecificCredentialsCommandOutput>(
          new ListServiceSpecificCredentialsCommand({ UserName: userName, Marker, MaxItems: ctx.pageSize }),
        ),
      (page) => page.ServiceSpecificCredentials,
    );
    return creds.map((c) => ({ kind: "serviceSpecificCredentials", id: c.ServiceSpecificCredentialId!, service: c.ServiceName }));
  },
  removalActions: () => ["DeleteServiceSpecificCredential"],
  async remove(ctx, userName, item) {
    await ctx.send(new DeleteServiceSpecificCredentialCommand({ UserName: userName, ServiceSpecificCredentialId: item.id }));
  },
};
