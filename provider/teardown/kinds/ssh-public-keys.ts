import {
  DeleteSSHPublicKeyCommand,
  ListSSHPublicKeysCommand,
  type ListSSHPublicKeysCommandOutput,
  UpdateSSHPublicKeyCommand,
} from "@aws-sdk/client-iam";
import { listUserPages } from "../paging";
import { defineKind } from "../types";

export const sshPublicKeys = defineKind({
  id: "sshPublicKeys",
  singular: "SSH public key",
  title: "SSH public keys",
  namedByUserOnly: false,
  listActions: ["ListSSHPublicKeys"],
  async list(ctx, userName) {
    const keys = await listUserPages(
      ctx,
      userName,
      (input) => new ListSSHPublicKeysCommand(input),
      (page: ListSSHPublicKeysCommandOutput) => page.SSHPublicKeys,
    );
    return keys.map((k) => ({ kind: "sshPublicKeys", id: k.SSHPublicKeyId!, status: k.Status }));
  },
  removalActions: () => ["DeleteSSHPublicKey"],
  async remove(ctx, userName, item) {
    await ctx.send(new DeleteSSHPublicKeyCommand({ UserName: userName, SSHPublicKeyId: item.id }));
  },
  statusSwitch: {
    action: "UpdateSSHPublicKey",
    async set(ctx, userName, item, status) {
      await ctx.send(new UpdateSSHPublicKeyCommand({ UserName: userName, SSHPublicKeyId: item.id, Status: status }));
    },
  },
});
