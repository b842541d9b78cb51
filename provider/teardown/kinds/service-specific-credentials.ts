import {
  DeleteServiceSpecificCredentialCommand,
  ListServiceSpecificCredentialsCommand,
  type ListServiceSpecificCredentialsCommandOutput,
  UpdateServiceSpecificCredentialCommand,
} from "@aws-sdk/client-iam";
import { listUserPages } from "../paging";
import type { CredentialStatus } from "../types";
import { defineKind } from "../types";
import { isoDate, ListedDetails } from "./listed";

const listed = new ListedDetails<{ status?: string; createDate?: string; serviceUserName?: string }>();

/** Credentials for every service at once (CodeCommit, Keyspaces, Bedrock API keys, ...): no ServiceName filter. */
export const serviceSpecificCredentials = defineKind({
  id: "serviceSpecificCredentials",
  singular: "service-specific credential",
  title: "service-specific credentials",
  namedByUserOnly: false,
  listActions: ["ListServiceSpecificCredentials"],
  async list(ctx, userName) {
    const creds = await listUserPages(
      ctx,
      userName,
      (input) => new ListServiceSpecificCredentialsCommand(input),
      (page: ListServiceSpecificCredentialsCommandOutput) => page.ServiceSpecificCredentials,
    );
    return creds.map((c) =>
      listed.keep(
        {
          kind: "serviceSpecificCredentials",
          id: c.ServiceSpecificCredentialId!,
          service: c.ServiceName,
          status: c.Status as CredentialStatus | undefined,
        },
        { status: c.Status, createDate: isoDate(c.CreateDate), serviceUserName: c.ServiceUserName },
      ),
    );
  },
  removalActions: () => ["DeleteServiceSpecificCredential"],
  async remove(ctx, userName, item) {
    await ctx.send(new DeleteServiceSpecificCredentialCommand({ UserName: userName, ServiceSpecificCredentialId: item.id }));
  },
  // An Expired credential cannot be made Active again: a quarantine leaves it as it is and names it.
  statusSwitch: {
    action: "UpdateServiceSpecificCredential",
    async set(ctx, userName, item, status) {
      await ctx.send(
        new UpdateServiceSpecificCredentialCommand({ UserName: userName, ServiceSpecificCredentialId: item.id, Status: status }),
      );
    },
  },
  describe: (item) => `service-specific credential ${item.id}${item.service ? ` (${item.service})` : ""}`,
  outputId: (item) => (item.service ? `${item.service}/${item.id}` : item.id),
  // The user name a service knows the credential by is no secret; its password is, and IAM never tells it again.
  recordItems: async (_ctx, _userName, items) => items.map((item) => ({ id: item.id, service: item.service, ...listed.of(item) })),
  cannotRestore: "a service password is never recorded: create a new credential (CreateServiceSpecificCredential) for the service",
});
