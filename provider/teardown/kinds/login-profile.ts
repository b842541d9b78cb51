import { DeleteLoginProfileCommand, GetLoginProfileCommand } from "@aws-sdk/client-iam";
import { isNoSuchEntity } from "../../aws/errors";
import { defineKind } from "../types";

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
      await ctx.send(new GetLoginProfileCommand({ UserName: userName }));
      return [{ kind: "loginProfile", id: userName }];
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
});
