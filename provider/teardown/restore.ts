import { CreateUserCommand, type CreateUserCommandOutput } from "@aws-sdk/client-iam";
import { describeFailure } from "../aws/errors";
import { type ContextOptions, createContext } from "./context";
import { getUserOrUndefined } from "./identity";
import { DEPENDENCY_KINDS } from "./kinds";
import type { UserRecord } from "./record";
import type { KindRegistry, RecordEntry, RecreatedItem } from "./types";

export interface RestoreOptions extends ContextOptions {
  record: UserRecord;
  /** Say what would be done; create nothing (one GetUser, to tell whether the name is free). */
  dryRun?: boolean;
  kinds?: KindRegistry;
}

/** What a kind's recorded items became. */
export interface RestoredKind {
  kind: string;
  singular: string;
  title: string;
  items: RecreatedItem[];
}

/** A kind the record holds items of that no restore can bring back, and why. */
export interface CannotReturn {
  kind: string;
  singular: string;
  title: string;
  ids: string[];
  why: string;
}

export interface RestoreReport {
  userName: string;
  accountId: string;
  previousUserId: string;
  /** The UserId IAM gave the user created now. */
  userId?: string;
  arn?: string;
  /** restored: the user exists again (see `kinds` for what came back); planned: --dry-run; refused: the name is taken. */
  outcome: "restored" | "planned" | "refused" | "failed";
  path: string;
  tags: number;
  permissionsBoundary?: string;
  kinds: RestoredKind[];
  cannotReturn: CannotReturn[];
  /** Why the user was refused or failed. */
  error?: string;
}

/** Entries whose item went between the list and its record's read: nothing to bring back. */
const recordedWhole = (entry: RecordEntry) => entry.goneBeforeRecorded !== true;

/**
 * Recreates a recorded user: the user with its path, tags and permissions boundary (set at creation, so the user is
 * never without its boundary), then each kind's items through the kind's own `restore` (groups and managed policies
 * attached only if they still exist; inline policies, SSH public keys and signing certificates from the record).
 * Refuses a name that exists: a restore creates, it never merges into someone else's user.
 */
export async function restoreUser(options: RestoreOptions): Promise<RestoreReport> {
  const { record } = options;
  const kinds = options.kinds ?? DEPENDENCY_KINDS;
  const ctx = createContext(options);
  const userName = record.user.userName;
  const base: RestoreReport = {
    userName,
    accountId: record.accountId,
    previousUserId: record.user.userId,
    outcome: "planned",
    path: record.user.path,
    tags: record.user.tags.length,
    permissionsBoundary: record.user.permissionsBoundary,
    kinds: [],
    cannotReturn: cannotReturn(record, kinds),
  };
  const existing = await getUserOrUndefined(ctx, userName);
  if (existing)
    return {
      ...base,
      outcome: "refused",
      error: `a user named ${userName} exists (UserId ${existing.UserId}): restore creates users, it never changes one that exists`,
    };
  if (options.dryRun) {
    const planned = kinds.flatMap((kind) => {
      const entries = (record.items[kind.id] ?? []).filter(recordedWhole);
      return kind.restore && entries.length > 0
        ? [
            {
              kind: kind.id,
              singular: kind.singular,
              title: kind.title,
              items: entries.map((e): RecreatedItem => ({ id: e.id, outcome: "recreated" })),
            },
          ]
        : [];
    });
    return { ...base, kinds: planned };
  }
  let created: CreateUserCommandOutput;
  try {
    created = await ctx.send<CreateUserCommandOutput>(
      new CreateUserCommand({
        UserName: userName,
        Path: record.user.path,
        Tags: record.user.tags.length > 0 ? record.user.tags.map((t) => ({ Key: t.key, Value: t.value })) : undefined,
        PermissionsBoundary: record.user.permissionsBoundary,
      }),
    );
  } catch (err) {
    return { ...base, outcome: "failed", error: `CreateUser ${userName}: ${describeFailure(err)}` };
  }
  const restored: RestoredKind[] = [];
  for (const kind of kinds) {
    const entries = (record.items[kind.id] ?? []).filter(recordedWhole);
    if (!kind.restore || entries.length === 0) continue;
    const items = await Promise.all(
      entries.map((entry) =>
        kind
          .restore!.recreate(ctx, userName, entry)
          .catch((err): RecreatedItem => ({ id: entry.id, outcome: "failed", detail: describeFailure(err) })),
      ),
    );
    restored.push({ kind: kind.id, singular: kind.singular, title: kind.title, items });
  }
  return { ...base, outcome: "restored", userId: created.User?.UserId, arn: created.User?.Arn, kinds: restored };
}

/** The recorded items of kinds no restore brings back (passwords, access keys, service credentials, MFA devices). */
function cannotReturn(record: UserRecord, kinds: KindRegistry): CannotReturn[] {
  return kinds.flatMap((kind) => {
    const entries = record.items[kind.id] ?? [];
    if (kind.restore || entries.length === 0) return [];
    return [
      {
        kind: kind.id,
        singular: kind.singular,
        title: kind.title,
        ids: entries.map((e) => e.id),
        why: kind.cannotRestore ?? "this kind is not restored",
      },
    ];
  });
}

/** The actions a restore may make: CreateUser (and GetUser first), and each kind's own. */
export const restoreActions = (kinds: KindRegistry = DEPENDENCY_KINDS): string[] => [
  "GetUser",
  "CreateUser",
  "TagUser",
  ...new Set(kinds.flatMap((k) => k.restore?.actions ?? [])),
];
