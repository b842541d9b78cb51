import { DeleteLoginProfileCommand, GetLoginProfileCommand } from "@aws-sdk/client-iam";
import { isNoSuchEntity } from "../../aws/errors";
import type { DependencyKind } from "../types";

/** The console password. GetLoginProfile answers NoSuchEntity when there is none. */
export const loginProfile: DependencyKind = {
  id: "loginProfile",
  title: "console passwords",
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
};
