import { DeleteSSHPublicKeyCommand, ListSSHPublicKeysCommand, type ListSSHPublicKeysCommandOutput } from "@aws-sdk/client-iam";
import { listAllPages } from "../paging";
import type { DependencyKind } from "../types";

export const sshPublicKeys: DependencyKind = {
  id: "sshPublicKeys",
  title: "SSH public keys",
  listActions: ["ListSSHPublicKeys"],
  async list(ctx, userName) {
    const keys = await listAllPages(
      (Marker) => ctx.send<ListSSHPublicKeysCommandOutput>(new ListSSHPublicKeysCommand({ UserName: userName, Marker, MaxItems: ctx.pageSize })),
      (page) => page.SSHPublicKeys,
    );
    return keys.map((k) => ({ kind: "sshPublicKeys", id: k.SSHPublicKeyId! }));
  },
  removalActions: () => ["DeleteSSHPublicKey"],
  async remove(ctx, userName, item) {
    await ctx.send(new DeleteSSHPublicKeyCommand({ UserName: userName, SSHPublicKeyId: item.id }));
  },
};
