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
import { disabledSinceOf, isReservedTagKey } from "./teardown/quarantine";

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
  /** The user's tags, but for those a quarantine keeps its record in (never the resource's to manage). */
  tags: Record<string, string>;
  permissionsBoundary?: string;
  /** As IAM answered it (for the activity output of a user just created). */
  createDate?: Date;
  /** When the user was disabled (quarantine.ts), read from its reserved tags; undefined when it is not. */
  disabledSince?: string;
}

/** IAM's path for a user created without one, and where a path the program stops declaring goes back to. */
export const DEFAULT_PATH = "/";

/** How far IAM's clock may be behind ours: the signature skew AWS accepts (5 minutes). */
const CLOCK_SKEW_MS = 5 * 60_000;

export async function createUser(ctx: CountingContext, userName: string, settings: UserSettings): Promise<LiveUser> {
  const sentAt = Date.now();
  let unanswered = false;
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
      { onUnanswered: () => (unanswered = true) },
    );
    return liveUser(out.User!, settings.tags ?? {});
  } catch (err) {
    if (errorCode(err) !== "EntityAlreadyExists") throw err;
    if (unanswered) return createdByLostAttempt(ctx, userName, settings, sentAt);
    const existing = await getUserOrUndefined(ctx, userName).catch(() => undefined);
    throw new Error(
      `IAM user ${userName} already exists${existing ? ` (UserId ${existing.UserId}, created ${existing.CreateDate?.toISOString()})` : ""}. ` +
        `It may be another user than the one this stack had under the name (a destroy of an adopted user deletes it). ` +
        `To manage it, check that it is the user you mean, then set adopt: true${existing ? ` and adoptUserId: "${existing.UserId}"` : ""}.`,
    );
  }
}

/**
 * CreateUser's answer was lost (the connection dropped) and its retry found the name taken: most likely by the attempt
 * whose answer was lost. The user is taken as the one this create made only if it is exactly what was asked for
 * (path, boundary, tags) and was created after the first attempt went out; anything else is another user's, never
 * recorded (a destroy would delete it).
 */
async function createdByLostAttempt(ctx: CountingContext, userName: string, settings: UserSettings, sentAt: number): Promise<LiveUser> {
  const found = await getUserOrUndefined(ctx, userName);
  const live = found && (await withTags(ctx, found));
  const created = found?.CreateDate?.getTime();
  const asAsked =
    live !== undefined &&
    created !== undefined &&
    created >= sentAt - CLOCK_SKEW_MS &&
    live.path === (settings.path ?? DEFAULT_PATH) &&
    live.permissionsBoundary === settings.permissionsBoundary &&
    JSON.stringify(Object.entries(live.tags).sort()) === JSON.stringify(Object.entries(settings.tags ?? {}).sort());
  if (asAsked) return live;
  throw new Error(
    `IAM user ${userName} exists, but is not known to be the one this create made: CreateUser's answer was lost and ` +
      `its retry found the name taken by ${live ? `UserId ${live.userId}, created ${found?.CreateDate?.toISOString()}, with other settings than those declared` : "a user that is gone again"}. ` +
      `Nothing was recorded. If it is yours, set adopt: true${live ? ` and adoptUserId: "${live.userId}"` : ""}.`,
  );
}

/** The live user with its tags, or undefined if the name is free. */
export async function readLiveUser(ctx: CountingContext, userName: string): Promise<LiveUser | undefined> {
  const user = await getUserOrUndefined(ctx, userName);
  return user && withTags(ctx, user);
}

/** A user IAM answered with, and its tags (ListUserTags: GetUser's answer need not carry every tag). */
export async function withTags(ctx: CountingContext, user: User): Promise<LiveUser> {
  const tags = await listAllPages(
    (Marker) => ctx.send<ListUserTagsCommandOutput>(new ListUserTagsCommand({ UserName: user.UserName!, Marker })),
    (page) => page.Tags,
  );
  const all = Object.fromEntries(tags.map((t) => [t.Key!, t.Value ?? ""]));
  return { ...liveUser(user, all), disabledSince: disabledSinceOf(all) };
}

function liveUser(user: User, allTags: Record<string, string>): LiveUser {
  // The quarantine's record is left out: the resource never shows, sets or removes it.
  const tags = Object.fromEntries(Object.entries(allTags).filter(([k]) => !isReservedTagKey(k)));
  return {
    userName: user.UserName!,
    userId: user.UserId!,
    arn: user.Arn!,
    path: user.Path ?? DEFAULT_PATH,
    tags,
    permissionsBoundary: user.PermissionsBoundary?.PermissionsBoundaryArn,
    createDate: user.CreateDate,
  };
}

/**
 * What an update changes on the user: each field undefined is left as it is. The resource manages only what the
 * program declares (see settingChanges in provider-methods.ts), so an undeclared boundary, path or tag is never here.
 */
export interface UserChanges {
  newUserName?: string;
  newPath?: string;
  tagsToSet?: Record<string, string>;
  tagKeysToRemove?: string[];
  /** A boundary to put, or `null` to remove the one the user has. */
  permissionsBoundary?: string | null;
}

/**
 * Applies `changes` to the user, the rename first: a name already taken fails before anything else is changed.
 * A rename keeps the UserId and everything on the user (UpdateUser NewUserName); path and name go in one call.
 */
export async function applyUserChanges(ctx: CountingContext, live: LiveUser, changes: UserChanges): Promise<LiveUser> {
  const next = { ...live, tags: { ...live.tags } };
  if (changes.newUserName !== undefined || changes.newPath !== undefined) {
    try {
      await ctx.send(new UpdateUserCommand({ UserName: live.userName, NewUserName: changes.newUserName, NewPath: changes.newPath }));
    } catch (err) {
      if (errorCode(err) === "EntityAlreadyExists")
        throw new Error(
          `cannot rename IAM user ${live.userName} (${live.userId}) to ${changes.newUserName}: a different user already has that name. Nothing was changed.`,
        );
      throw err;
    }
    next.userName = changes.newUserName ?? live.userName;
    next.path = changes.newPath ?? live.path;
    next.arn = live.arn.replace(/:user\/.*$/, `:user${next.path}${next.userName}`);
  }
  const name = next.userName;
  const stale = (changes.tagKeysToRemove ?? []).filter((k) => k in live.tags && !isReservedTagKey(k));
  if (stale.length > 0) await ctx.send(new UntagUserCommand({ UserName: name, TagKeys: stale }));
  const tagging = Object.entries(changes.tagsToSet ?? {}).filter(([k, v]) => live.tags[k] !== v && !isReservedTagKey(k));
  if (tagging.length > 0) await ctx.send(new TagUserCommand({ UserName: name, Tags: tagging.map(([Key, Value]) => ({ Key, Value })) }));
  for (const k of stale) delete next.tags[k];
  Object.assign(next.tags, changes.tagsToSet);
  if (changes.permissionsBoundary === null && live.permissionsBoundary !== undefined) {
    await ctx.send(new DeleteUserPermissionsBoundaryCommand({ UserName: name }));
    next.permissionsBoundary = undefined;
  } else if (typeof changes.permissionsBoundary === "string" && changes.permissionsBoundary !== live.permissionsBoundary) {
    await ctx.send(new PutUserPermissionsBoundaryCommand({ UserName: name, PermissionsBoundary: changes.permissionsBoundary }));
    next.permissionsBoundary = changes.permissionsBoundary;
  }
  return next;
}
