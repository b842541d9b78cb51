import type { User } from "@aws-sdk/client-iam";
import type { TeardownReport } from "./phases/state";
import { type RetryBounds, withRetry } from "./retry";
import type { DependencyItem, Inventory, KindContext, KindRegistry, RecordEntry } from "./types";

/**
 * A user's record: what it was before its teardown (written, and acknowledged, before the first removal) and what the
 * teardown removed (added once it ends). Public material only: never a password, secret key, service password or
 * MFA seed; SSH public keys' and signing certificates' bodies are public, and a restore needs them. The schema is
 * documented in docs/records.md; a change to it raises RECORD_VERSION.
 */
export const RECORD_VERSION = 1;

export interface RecordedUser {
  userName: string;
  userId: string;
  arn: string;
  path: string;
  createDate?: string;
  tags: Array<{ key: string; value: string }>;
  /** The ARN of the permissions boundary, if the user had one. */
  permissionsBoundary?: string;
}

/** What the teardown did: added to the record when it ends. */
export interface RecordedTeardown {
  finishedAt: string;
  outcome: TeardownReport["outcome"] | "failed";
  removed: Array<{ kind: string; id: string }>;
  alreadyGone: Array<{ kind: string; id: string }>;
  /** Why it failed, when it did. */
  error?: string;
  /** Teardowns of this user that wrote to the record: more than one after a run was interrupted and run again. */
  runs: number;
}

export interface UserRecord {
  recordVersion: typeof RECORD_VERSION;
  accountId: string;
  recordedAt: string;
  user: RecordedUser;
  /** Per kind id, the items as the kind records them (its `recordItems`); every kind listed, empty ones too. */
  items: Record<string, RecordEntry[]>;
  teardown?: RecordedTeardown;
}

/**
 * Where records go. `keepBefore` stores a user's record unless one of the same user (account and UserId) is there
 * already, and answers with the one kept: a rerun after an interrupted teardown sees a user partly torn down, and its
 * poorer "before" must never replace the first. It resolves only once the record is durably stored.
 */
export interface RecordWriter {
  /** Where the records go, in words ("directory ./records", "s3://bucket/prefix/"). */
  readonly location: string;
  keepBefore(record: UserRecord): Promise<UserRecord>;
  /** Stores the record again, with its teardown part. */
  complete(record: UserRecord): Promise<void>;
}

/** The name of a user's record, the same in a directory and under an S3 prefix: names are reused, UserIds never. */
export const recordName = (accountId: string, userId: string): string => `${accountId}/${userId}.json`;

/** The account id in an IAM ARN. */
export const accountOfArn = (arn: string | undefined): string | undefined => /^arn:[^:]+:iam::(\d{12}):/.exec(arn ?? "")?.[1];

/** The reads a record makes beyond the teardown's own listing, per kind (GetUserPolicy, GetSSHPublicKey, ...). */
export const recordReadActions = (kinds: KindRegistry): string[] => [...new Set(kinds.flatMap((k) => k.recordActions ?? []))];

/** Describes the user and what hangs on it (as listed), reading what the kinds need beyond the listing. */
export async function describeForRecord(
  ctx: KindContext,
  user: User,
  inventory: Inventory,
  kinds: KindRegistry,
  bounds: RetryBounds,
  now: () => Date = () => new Date(),
): Promise<UserRecord> {
  const accountId = accountOfArn(user.Arn);
  if (!accountId || !user.UserId || !user.UserName)
    throw new Error(`IAM answered for user ${user.UserName} without the ARN and UserId a record is named by`);
  const entries = await Promise.all(
    kinds.map((kind) => {
      const items = inventory[kind.id] ?? [];
      if (items.length === 0) return Promise.resolve([]);
      return kind.recordItems
        ? withRetry(() => kind.recordItems!(ctx, user.UserName!, items), bounds)
        : Promise.resolve(items.map((i): RecordEntry => ({ id: i.id })));
    }),
  );
  return {
    recordVersion: RECORD_VERSION,
    accountId,
    recordedAt: now().toISOString(),
    user: {
      userName: user.UserName,
      userId: user.UserId,
      arn: user.Arn!,
      path: user.Path ?? "/",
      createDate: user.CreateDate?.toISOString(),
      tags: (user.Tags ?? []).map((t) => ({ key: t.Key!, value: t.Value ?? "" })),
      ...(user.PermissionsBoundary?.PermissionsBoundaryArn ? { permissionsBoundary: user.PermissionsBoundary.PermissionsBoundaryArn } : {}),
    },
    items: Object.fromEntries(kinds.map((kind, i) => [kind.id, entries[i]])),
  };
}

const ids = (items: readonly DependencyItem[]) => items.map((i) => ({ kind: i.kind, id: i.id }));

/** The record with what the teardown did added (the runs counted across reruns). */
export function withTeardown(
  record: UserRecord,
  end: { report?: TeardownReport; error?: string; removed?: readonly DependencyItem[] },
  now: () => Date = () => new Date(),
): UserRecord {
  const runs = (record.teardown?.runs ?? 0) + 1;
  const earlier = record.teardown;
  // A rerun's removals join those an earlier run recorded, if it got that far.
  const merge = (before: Array<{ kind: string; id: string }> | undefined, now: Array<{ kind: string; id: string }>) => {
    const seen = new Set(now.map((i) => `${i.kind} ${i.id}`));
    return [...(before ?? []).filter((i) => !seen.has(`${i.kind} ${i.id}`)), ...now];
  };
  return {
    ...record,
    teardown: {
      finishedAt: now().toISOString(),
      outcome: end.report ? end.report.outcome : "failed",
      removed: merge(earlier?.removed, ids(end.report?.removed ?? end.removed ?? [])),
      alreadyGone: ids(end.report?.alreadyGone ?? []),
      ...(end.error !== undefined ? { error: end.error } : {}),
      runs,
    },
  };
}

/** Thrown when a user's record could not be written: nothing of that user was removed. */
export class RecordNotWrittenError extends Error {
  constructor(
    readonly userName: string,
    readonly userId: string | undefined,
    readonly location: string,
    readonly reason: string,
  ) {
    super(
      `nothing of IAM user ${userName}${userId ? ` (${userId})` : ""} was removed: its record could not be written to ${location}: ${reason}`,
    );
    this.name = "RecordNotWrittenError";
  }
}
