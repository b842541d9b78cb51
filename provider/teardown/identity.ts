import { GetUserCommand, type GetUserCommandOutput, ListUsersCommand, type ListUsersCommandOutput, type User } from "@aws-sdk/client-iam";
import { isNoSuchEntity } from "../aws/errors";
import { IdentityMismatchError } from "./errors";
import { listAllPages } from "./paging";
import type { KindContext } from "./types";

export type Identity =
  | { state: "present"; user: User }
  /** The recorded UserId lives on under another name. */
  | { state: "renamed"; user: User; previousName: string }
  | { state: "gone" };

export async function getUserOrUndefined(ctx: KindContext, userName: string): Promise<User | undefined> {
  try {
    return (await ctx.send<GetUserCommandOutput>(new GetUserCommand({ UserName: userName }))).User;
  } catch (err) {
    if (isNoSuchEntity(err)) return undefined;
    throw err;
  }
}

/**
 * Which principal a teardown of `userName` may touch. With no recorded UserId the name decides. With one:
 * the same UserId under the name is the user; a different UserId means the name was reused and nothing may be
 * touched; no user under the name sends us looking for the UserId under another name (a rename out of band).
 */
export async function resolveIdentity(ctx: KindContext, userName: string, expectedUserId?: string): Promise<Identity> {
  const user = await getUserOrUndefined(ctx, userName);
  if (user) {
    if (expectedUserId && user.UserId !== expectedUserId) throw new IdentityMismatchError(userName, expectedUserId, user.UserId!);
    return { state: "present", user };
  }
  if (!expectedUserId) return { state: "gone" };
  const renamed = await findUserById(ctx, expectedUserId);
  return renamed ? { state: "renamed", user: renamed, previousName: userName } : { state: "gone" };
}

/** Whether the name still names the same principal; called again just before DeleteUser. */
export async function confirmIdentity(ctx: KindContext, userName: string, userId: string): Promise<"same" | "gone"> {
  const user = await getUserOrUndefined(ctx, userName);
  if (!user) return "gone";
  if (user.UserId !== userId) throw new IdentityMismatchError(userName, userId, user.UserId!);
  return "same";
}

/** IAM has no lookup by UserId: walk the account's users (only on the rare rename path). */
async function findUserById(ctx: KindContext, userId: string): Promise<User | undefined> {
  const users = await listAllPages(
    (Marker) => ctx.send<ListUsersCommandOutput>(new ListUsersCommand({ Marker, MaxItems: 1000 })),
    (page) => page.Users,
  );
  return users.find((u) => u.UserId === userId);
}
