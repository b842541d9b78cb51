import { DeleteLoginProfileCommand, GetLoginProfileCommand, type GetLoginProfileCommandOutput } from "@aws-sdk/client-iam";
import { isNoSuchEntity } from "../../aws/errors";
import { defineKind } from "../types";
import { isoDate, ListedDetails } from "./listed";

const listed = new ListedDetails<{ createDate?: string; passwordResetRequired?: boolean }>();

/** The console password. GetLoginProfile answers NoSuchEntity when there is none. */
export const loginProfile = defineKind({
  id: "loginProfile",
  singular: "console password",
  title: "console passwords",
  tallies: [{ singular: "console password", plural: "console passwords", single: true }],
  namedByUserOnly: true,
  listActions: ["GetLoginProfile"],
  async list(ctx, userName) {
    try {
      const out = await ctx.send<GetLoginProfileCommandOutput>(new GetLoginProfileCommand({ UserName: userName }));
      const profile = out?.LoginProfile;
      return [
        listed.keep(
          { kind: "loginProfile", id: userName },
          { createDate: isoDate(profile?.CreateDate), passwordResetRequired: profile?.PasswordResetRequired },
        ),
      ];
    } catch (err) {
      // No profile, or no user: the engine's identity check (GetUser) tells the two apart.
      if (isNoSuchEntity(err)) return [];
      throw err;
    }
  },
  removalActions: () => ["DeleteLoginProfile"],
  async remove(ctx, userName) {
    await ctx.send(new DeleteLoginProfileCommand({ UserName: userName }));
  },
  // A user has at most one, identified by the user's name: the words say it all.
  describe: () => "console password",
  // That a password existed, and since when; the password itself IAM never tells.
  recordItems: async (_ctx, _userName, items) => items.map((item) => ({ id: item.id, ...listed.of(item) })),
  cannotRestore: "a password is never recorded: set a new one (CreateLoginProfile) and hand it over",
});
