import {
  GenerateServiceLastAccessedDetailsCommand,
  type GenerateServiceLastAccessedDetailsCommandOutput,
  GetServiceLastAccessedDetailsCommand,
  type GetServiceLastAccessedDetailsCommandOutput,
  type ServiceLastAccessed,
  type User,
} from "@aws-sdk/client-iam";
import { describeFailure } from "../aws/errors";
import { type Clock, systemClock } from "../clock";
import { DEPENDENCY_KINDS } from "./kinds";
import { listAllPages } from "./paging";
import type { Inventory, KindContext, KindRegistry } from "./types";

/**
 * What IAM knows of a user's use, read for the decision "may it go": when it was created, when its console password
 * was last used, each credential's last use where IAM keeps one (access keys), and its last authenticated access per
 * service (the service last-accessed data, the only trace of SSH keys to CodeCommit, service-specific credentials and
 * signing certificates). IAM's data lags by hours, and use through a role the user assumed is the role's.
 */
export interface UserActivity {
  userName: string;
  /** ISO dates throughout, as IAM reports them. */
  created?: string;
  passwordLastUsed?: string;
  /** Per credential with a last use of its own (access keys): its id and kind, and `lastUsed` absent when never used. */
  credentials: CredentialActivity[];
  /** Services the user authenticated to, most recent first. */
  services: ServiceActivity[];
  /** The latest of all the above, with where it comes from; absent only when IAM knows no date at all. */
  lastActivity?: ActivityMark;
  /**
   * Sources that could not be read, each with why (a missing permission, a job that failed or never completed). Their
   * activity is unknown: such a user may be called active, never inactive.
   */
  unknown?: string[];
}

export interface CredentialActivity {
  kind: string;
  id: string;
  lastUsed?: string;
  service?: string;
  region?: string;
}

export interface ServiceActivity {
  namespace: string;
  name?: string;
  lastAuthenticated: string;
  region?: string;
}

export interface ActivityMark {
  date: string;
  /** In words: "created", "console password", "access key AKIA... (s3, us-east-1)", "service codecommit". */
  source: string;
}

/** The IAM actions reading a user's activity makes (besides listing the kinds that have a last use). */
export const SERVICE_ACCESS_ACTIONS = ["GenerateServiceLastAccessedDetails", "GetServiceLastAccessedDetails"] as const;

/** The IAM actions reading activity needs, for the least-privilege policy and the bench's floor. */
export function activityActions(kinds: KindRegistry = DEPENDENCY_KINDS): string[] {
  const withLastUse = kinds.filter((k) => k.lastUse);
  return [...withLastUse.flatMap((k) => [...k.listActions, k.lastUseAction!]), ...SERVICE_ACCESS_ACTIONS];
}

export interface ActivityOptions {
  /** Waits between polls of the service last-accessed job. */
  clock?: Clock;
  /** First wait between polls (ms); doubles up to `maxPollIntervalMs`. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** Gives up on a job still in progress after this long (ms) on the clock. */
  jobTimeoutMs?: number;
  kinds?: KindRegistry;
  /** What hangs on the user, already listed (a plan's): its credentials are not listed again. */
  inventory?: Inventory;
}

/** A job usually completes within seconds: the first wait is short, the next ones double. */
export const ACTIVITY_DEFAULTS = { pollIntervalMs: 250, maxPollIntervalMs: 8_000, jobTimeoutMs: 300_000 } as const;

/** The service last-accessed job failed, or did not complete in time: the user's activity is not known. */
export class ActivityUnknownError extends Error {
  override readonly name = "ActivityUnknownError";
}

/**
 * Reads a user's activity: `user` as GetUser or ListUsers answered it (CreateDate, PasswordLastUsed, Arn), each
 * credential's last use through its kind, and the service last-accessed job, polled until it completes. Every call
 * goes through `ctx.send`, hence the client's per-action rate limit.
 */
export async function readUserActivity(ctx: KindContext, user: User, options: ActivityOptions = {}): Promise<UserActivity> {
  const userName = user.UserName!;
  const kinds = (options.kinds ?? DEPENDENCY_KINDS).filter((k) => k.lastUse);
  const unknown: string[] = [];
  // A source that cannot be read is named, not fatal: what the others show still counts (activity found is activity).
  const orUnknown = async <T>(source: string, read: () => Promise<T[]>): Promise<T[]> => {
    try {
      return await read();
    } catch (err) {
      unknown.push(`${source}: ${describeFailure(err)}`);
      return [];
    }
  };
  const [credentials, services] = await Promise.all([
    Promise.all(
      kinds.map((kind) =>
        orUnknown(kind.title, async () => {
          const items = options.inventory?.[kind.id] ?? (await kind.list(ctx, userName));
          const uses = await Promise.all(items.map(async (item) => ({ item, use: await kind.lastUse!(ctx, item) })));
          return uses.flatMap(({ item, use }): CredentialActivity[] =>
            use === undefined
              ? []
              : [{ kind: kind.singular, id: item.id, lastUsed: iso(use.date), service: use.service, region: use.region }],
          );
        }),
      ),
    ).then((perKind) => perKind.flat()),
    orUnknown("per-service last access", () => serviceLastAccess(ctx, user.Arn!, options)),
  ]);
  const activity: UserActivity = {
    userName,
    created: iso(user.CreateDate),
    passwordLastUsed: iso(user.PasswordLastUsed),
    credentials,
    services,
    ...(unknown.length > 0 ? { unknown } : {}),
  };
  activity.lastActivity = latestOf(activity);
  return activity;
}

/** The service last-accessed data of one entity: the job generated, then polled until it is no longer in progress. */
async function serviceLastAccess(ctx: KindContext, arn: string, options: ActivityOptions): Promise<ServiceActivity[]> {
  const clock = options.clock ?? systemClock;
  const maxInterval = options.maxPollIntervalMs ?? ACTIVITY_DEFAULTS.maxPollIntervalMs;
  const deadline = clock.now() + (options.jobTimeoutMs ?? ACTIVITY_DEFAULTS.jobTimeoutMs);
  const { JobId } = await ctx.send<GenerateServiceLastAccessedDetailsCommandOutput>(
    new GenerateServiceLastAccessedDetailsCommand({ Arn: arn, Granularity: "SERVICE_LEVEL" }),
  );
  let interval = options.pollIntervalMs ?? ACTIVITY_DEFAULTS.pollIntervalMs;
  let first: GetServiceLastAccessedDetailsCommandOutput;
  for (;;) {
    first = await ctx.send(new GetServiceLastAccessedDetailsCommand({ JobId, MaxItems: ctx.pageSize }));
    if (first.JobStatus !== "IN_PROGRESS") break;
    if (clock.now() + interval > deadline)
      throw new ActivityUnknownError(`the service last-accessed job for ${arn} was still in progress when its time ran out`);
    await clock.sleep(interval);
    interval = Math.min(interval * 2, maxInterval);
  }
  if (first.JobStatus !== "COMPLETED")
    throw new ActivityUnknownError(
      `the service last-accessed job for ${arn} ended ${first.JobStatus}: ${first.Error?.Message ?? "no reason given"}`,
    );
  let page = 0;
  const rows = await listAllPages(
    (Marker) =>
      page++ === 0
        ? Promise.resolve(first)
        : ctx.send<GetServiceLastAccessedDetailsCommandOutput>(
            new GetServiceLastAccessedDetailsCommand({ JobId, Marker, MaxItems: ctx.pageSize }),
          ),
    (p) => p.ServicesLastAccessed,
  );
  return rows
    .filter((r): r is ServiceLastAccessed & { LastAuthenticated: Date } => r.LastAuthenticated instanceof Date)
    .sort((a, b) => b.LastAuthenticated.getTime() - a.LastAuthenticated.getTime())
    .map((r) => ({
      namespace: r.ServiceNamespace!,
      name: r.ServiceName,
      lastAuthenticated: r.LastAuthenticated.toISOString(),
      region: r.LastAuthenticatedRegion,
    }));
}

/** The latest date of all, with its source; on a tie the first named wins (a credential before the service it used). */
export function latestOf(a: Omit<UserActivity, "lastActivity">): ActivityMark | undefined {
  const marks: ActivityMark[] = [];
  if (a.created) marks.push({ date: a.created, source: "created" });
  if (a.passwordLastUsed) marks.push({ date: a.passwordLastUsed, source: "console password" });
  for (const c of a.credentials) if (c.lastUsed) marks.push({ date: c.lastUsed, source: `${c.kind} ${c.id}${where(c.service, c.region)}` });
  for (const s of a.services) marks.push({ date: s.lastAuthenticated, source: `service ${s.namespace}${where(undefined, s.region)}` });
  let latest: ActivityMark | undefined;
  for (const m of marks) if (!latest || Date.parse(m.date) > Date.parse(latest.date)) latest = m;
  return latest;
}

const where = (service: string | undefined, region: string | undefined): string => {
  const parts = [service, region].filter((p): p is string => p !== undefined);
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
};

const iso = (d: Date | undefined): string | undefined => (d instanceof Date ? d.toISOString() : undefined);

const UNIT_MS = { d: 86_400_000, h: 3_600_000 } as const;

/** "90d", "36h": a window of inactivity, in ms. Throws with a message naming what is expected. */
export function parseInactivityWindow(text: string): number {
  const m = /^([1-9]\d{0,5})([dh])$/.exec(text.trim());
  if (!m) throw new Error(`an inactivity window is a whole number of days or hours, such as 90d or 36h; got ${JSON.stringify(text)}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** The last activity inside the window ending `now`, if any: the user is active. */
export function activeWithin(activity: UserActivity, windowMs: number, now: number): ActivityMark | undefined {
  const last = activity.lastActivity;
  return last && Date.parse(last.date) > now - windowMs ? last : undefined;
}

/**
 * The guard's verdict: the last activity inside the window (keep the user), or undefined (it may go). When nothing
 * read shows activity but some source could not be read, the user cannot be called inactive: ActivityUnknownError.
 */
export function guardVerdict(activity: UserActivity, windowMs: number, now: number): ActivityMark | undefined {
  const mark = activeWithin(activity, windowMs, now);
  if (mark || !activity.unknown) return mark;
  throw new ActivityUnknownError(
    `cannot tell whether IAM user ${activity.userName} was inactive that long: ${activity.unknown.join("; ")}; nothing was changed`,
  );
}

/** "3 days ago", "5 hours ago": how long before `now` a date was, in the unit a person reads first. */
export function ago(date: string, now: number): string {
  const ms = Math.max(0, now - Date.parse(date));
  const days = Math.floor(ms / UNIT_MS.d);
  if (days >= 1) return `${days} day${days === 1 ? "" : "s"} ago`;
  const hours = Math.floor(ms / UNIT_MS.h);
  if (hours >= 1) return `${hours} hour${hours === 1 ? "" : "s"} ago`;
  return "less than an hour ago";
}

/** "active 3 days ago: access key AKIA... (s3, us-east-1) on 2026-02-27T10:00:00.000Z", or "no use known, created ..." */
export function describeLastActivity(mark: ActivityMark, now: number): string {
  if (mark.source === "created") return `no use known, created ${ago(mark.date, now)} on ${mark.date}`;
  return `active ${ago(mark.date, now)}: ${mark.source} on ${mark.date}`;
}

/**
 * The activity on one line, for the resource's output and the plan's text: "last 2026-02-27T10:00:00.000Z (access key
 * AKIA... (s3, us-east-1)); password never; keys 2026-02-27, never; services codecommit 2026-02-25".
 */
export function activityLine(a: UserActivity): string {
  const day = (d: string | undefined) => (d ? d.slice(0, 10) : "never");
  const parts = [a.lastActivity ? `last ${a.lastActivity.date} (${a.lastActivity.source})` : "last unknown"];
  parts.push(`created ${day(a.created)}`);
  parts.push(`password ${day(a.passwordLastUsed)}`);
  // Each key by its last use only: the ids are the inventory's (a review shows each item once); the source names the key.
  if (a.credentials.length > 0) parts.push(`keys ${a.credentials.map((c) => day(c.lastUsed)).join(", ")}`);
  parts.push(
    a.services.length > 0 ? `services ${a.services.map((s) => `${s.namespace} ${day(s.lastAuthenticated)}`).join(", ")}` : "services none",
  );
  if (a.unknown) parts.push(`unknown ${a.unknown.join(", ")}`);
  return parts.join("; ");
}
