import {
  CreateUserCommand,
  type CreateUserCommandOutput,
  DeleteUserPermissionsBoundaryCommand,
  ListUserTagsCommand,
  type ListUserTagsCommandOutput,
  PutUserPermissionsBoundaryCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateUserCommand,
  type User,
} from "@aws-sdk/client-iam";
import { errorCode } from "./aws/errors";
import type { CountingContext } from "./teardown/context";
import { getUserOrUndefined } from "./teardown/identity";
import { listAllPages } from "./teardown/paging";

/** The user's own settings that the resource manages (everything else on the user is a dependency). */
export interface UserSettings {
  path?: string;
  tags?: Record<string, string>;
  permissionsBoundary?: string;
}

export interface LiveUser {
  userName: string;
  userId: string;
  arn: string;
  path: string;
  tags: Record<string, string>;
  permissionsBoundary?: string;
}

export async function createUser(ctx: CountingContext, userName: string, settings: UserSettings): Promise<LiveUser> {
  try {
    const out = await ctx.send<CreateUserCommandOutput>(
      new CreateUserCommand({
        UserName: userName,
        Path: settings.path,
        PermissionsBoundary: settings.permissionsBoundary,
        Tags:
          settings.tags && Object.keys(settings.tags).length > 0
            ? Object.entries(settings.tags).map(([Key, Value]) => ({ Key, Value }))
            : undefined,
      }),
    );
    return liveUser(out.User!, settings.tags ?? {});
  } catch (err) {
    if (errorCode(err) === "EntityAlreadyExists") {
      throw new Error(`IAM user ${userName} already exists. To manage an existing user (and tear it down on destroy), set adopt: true.`);
    }
    throw err;
  }
}

/** The live user with its tags, or undefined if the name is free. */
export async function readLiveUser(ctx: CountingContext, userName: string): Promise<LiveUser | undefined> {
  const user = await getUserOrUndefined(ctx, userName);
  if (!user) return undefined;
  const tags = await listAllPages(
    (Marker) => ctx.send<ListUserTagsCommandOutput>(new ListUserTagsCommand({ UserName: userName, Marker })),
    (page) => page.Tags,
  );
  return liveUser(user, Object.fromEntries(tags.map((t) => [t.Key!, t.Value ?? ""])));
}

function liveUser(user: User, tags: Record<string, string>): LiveUser {
  return {
    userName: user.UserName!,
    userId: user.UserId!,
    arn: user.Arn!,
    path: user.Path ?? "/",
    tags,
    permissionsBoundary: user.PermissionsBoundary?.PermissionsBoundaryArn,
  };
}

/**
 * Brings path, tags and boundary to what is declared. An undeclared setting is left as it is, so adopting a user
 * managed elsewhere changes only what the program says.
 */
export async function applyUserSettings(ctx: CountingContext, live: LiveUser, declared: UserSettings): Promise<LiveUser> {
  const next = { ...live, tags: { ...live.tags } };
  const name = live.userName;
  if (declared.path !== undefined && declared.path !== live.path) {
    await ctx.send(new UpdateUserCommand({ UserName: name, NewPath: declared.path }));
    next.path = declared.path;
    next.arn = live.arn.replace(/:user\/.*$/, `:user${declared.path}${name}`);
  }
  if (declared.tags !== undefined) {
    const stale = Object.keys(live.tags).filter((k) => !(k in declared.tags!));
    const changed = Object.entries(declared.tags).filter(([k, v]) => live.tags[k] !== v);
    if (stale.length > 0) await ctx.send(new UntagUserCommand({ UserName: name, TagKeys: stale }));
    if (changed.length > 0) await ctx.send(new TagUserCommand({ UserName: name, Tags: changed.map(([Key, Value]) => ({ Key, Value })) }));
    next.tags = { ...declared.tags };
  }
  if (declared.permissionsBoundary !== live.permissionsBoundary && declared.permissionsBoundary !== undefined) {
    await ctx.send(new PutUserPermissionsBoundaryCommand({ UserName: name, PermissionsBoundary: declared.permissionsBoundary }));
    next.permissionsBoundary = declared.permissionsBoundary;
  }
  return next;
}

/** Removes a boundary the program no longer declares (only on update: adoption never removes what it did not set). */
export async function removePermissionsBoundary(ctx: CountingContext, userName: string): Promise<void> {
  await ctx.send(new DeleteUserPermissionsBoundaryCommand({ UserName: userName }));
}
