import { GetUserCommand, type GetUserCommandOutput, ListUsersCommand, type ListUsersCommandOutput, type User } from "@aws-sdk/client-iam";
import { isNoSuchEntity } from "../aws/errors";
import { IdentityMismatchError } from "./errors";
import { listAllPages } from "./paging";
import type { KindContext } from "./types";

/** `nameHeldBy`: the UserId of a different user that now holds the name asked for (the name was reused). */
export type Identity =
  | { state: "present"; user: User }
  /** The recorded UserId lives on under another name. */
  | { state: "renamed"; user: User; previousName: string; nameHeldBy?: string }
  | { state: "gone"; nameHeldBy?: string };

export async function getUserOrUndefined(ctx: KindContext, userName: string): Promise<User | undefined> {
  try {
    return (await ctx.send<GetUserCommandOutput>(new GetUserCommand({ UserName: userName }))).User;
  } catch (err) {
    if (isNoSuchEntity(err)) return undefined;
    throw err;
  }
}

/**
 * Where the user is. With no recorded UserId the name decides. With one, the UserId decides: the same UserId under the
 * name is the user; otherwise (no user under the name, or a different one: the name was reused) the UserId is looked
 * for under another name (a rename out of band), and when it is nowhere the user is gone. A different user under the
 * name is never the user: it is reported as `nameHeldBy`, for the caller to refuse or to leave alone.
 */
export async function resolveIdentity(ctx: KindContext, userName: string, expectedUserId?: string): Promise<Identity> {
  const user = await getUserOrUndefined(ctx, userName);
  if (user && (!expectedUserId || user.UserId === expectedUserId)) return { state: "present", user };
  if (!expectedUserId) return { state: "gone" };
  const nameHeldBy = user?.UserId;
  const renamed = await findUserById(ctx, expectedUserId);
  const held = nameHeldBy === undefined ? {} : { nameHeldBy };
  return renamed ? { state: "renamed", user: renamed, previousName: userName, ...held } : { state: "gone", ...held };
}

/** Whether the name still names the same principal; called again just before DeleteUser. */
export async function confirmIdentity(ctx: KindContext, userName: string, userId: string): Promise<"same" | "gone"> {
  const user = await getUserOrUndefined(ctx, userName);
  if (!user) return "gone";
  if (user.UserId !== userId) throw new IdentityMismatchError(userName, userId, user.UserId!);
  return "same";
}

/** IAM has no lookup by UserId: walk the account's users (only on the rare rename or reuse path). */
async function findUserById(ctx: KindContext, userId: string): Promise<User | undefined> {
  return (await listAccountUsers(ctx.send)).users.find((u) => u.UserId === userId);
}

/**
 * Every user of the account, by ListUsers walked page by page (1,000 a page unless `pageSize` says otherwise), and the
 * number of pages it took; with `keep`, only the users it keeps (a caller that looks for a few names in a big account
 * holds those, not the account). The one walker of the account's users: the rename search, the re-checks answered
 * together and the fleet CLI's look-up all use it.
 */
export async function listAccountUsers(
  send: <O>(command: unknown) => Promise<O>,
  pageSize = 1000,
  keep?: (user: User) => boolean,
): Promise<{ users: User[]; pages: number }> {
  let pages = 0;
  const users = await listAllPages(
    (Marker) => {
      pages++;
      return send<ListUsersCommandOutput>(new ListUsersCommand({ Marker, MaxItems: pageSize }));
    },
    (page) => (keep ? page.Users?.filter(keep) : page.Users),
  );
  return { users, pages };
}
