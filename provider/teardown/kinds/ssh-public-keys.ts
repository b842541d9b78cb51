import {
  DeleteSSHPublicKeyCommand,
  GetSSHPublicKeyCommand,
  type GetSSHPublicKeyCommandOutput,
  ListSSHPublicKeysCommand,
  type ListSSHPublicKeysCommandOutput,
  UpdateSSHPublicKeyCommand,
  UploadSSHPublicKeyCommand,
  type UploadSSHPublicKeyCommandOutput,
} from "@aws-sdk/client-iam";
import { listUserPages } from "../paging";
import { defineKind } from "../types";
import { isoDate, ListedDetails, readForRecord } from "./listed";

const listed = new ListedDetails<{ status?: string; uploadDate?: string }>();

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
    return keys.map((k) =>
      listed.keep(
        { kind: "sshPublicKeys", id: k.SSHPublicKeyId!, status: k.Status },
        { status: k.Status, uploadDate: isoDate(k.UploadDate) },
      ),
    );
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
  // The list leaves the (public) body out; a restore needs it, in the form it was uploaded in.
  recordActions: ["GetSSHPublicKey"],
  recordItems: (ctx, userName, items) =>
    Promise.all(
      items.map(async (item) => {
        const read = await readForRecord(async () => {
          const out = await ctx.send<GetSSHPublicKeyCommandOutput>(
            new GetSSHPublicKeyCommand({ UserName: userName, SSHPublicKeyId: item.id, Encoding: "SSH" }),
          );
          return { body: out.SSHPublicKey!.SSHPublicKeyBody, fingerprint: out.SSHPublicKey!.Fingerprint };
        });
        return { id: item.id, ...listed.of(item), ...read };
      }),
    ),
  restore: {
    actions: ["UploadSSHPublicKey", "UpdateSSHPublicKey"],
    async recreate(ctx, userName, entry) {
      if (typeof entry.body !== "string") return { id: entry.id, outcome: "missing", detail: "the record holds no body for it" };
      const out = await ctx.send<UploadSSHPublicKeyCommandOutput>(
        new UploadSSHPublicKeyCommand({ UserName: userName, SSHPublicKeyBody: entry.body }),
      );
      const newId = out.SSHPublicKey!.SSHPublicKeyId!;
      // An upload is active: a key recorded inactive must not come back able to log in.
      if (entry.status === "Inactive")
        await ctx.send(new UpdateSSHPublicKeyCommand({ UserName: userName, SSHPublicKeyId: newId, Status: "Inactive" }));
      return { id: entry.id, outcome: "recreated", newId };
    },
  },
});
