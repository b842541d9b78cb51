import type { IAMClient, User } from "@aws-sdk/client-iam";
import { parseInactivityWindow } from "../teardown/activity";
import { createContext } from "../teardown/context";
import { getUserOrUndefined, listAccountUsers } from "../teardown/identity";
import { Semaphore } from "../teardown/pool";
import type { ActivityReader } from "./activity";
import type { GuardSkip } from "./fleet";

/** Which users a run covers beyond the names given: --all and what narrows it, the inactivity window, the caller. */
export interface Selection {
  all: boolean;
  pathPrefix?: string;
  /** --tag KEY=VALUE, each of which a user must carry. */
  tags: Array<{ key: string; value: string }>;
  createdBefore?: Date;
  exclude: string[];
  /** --exclude-from's path; read by the caller (reading is I/O, parsing is not). */
  excludeFrom?: string;
  /** --inactive-for: with --all it selects, with names it guards. */
  inactiveFor?: { text: string; ms: number };
  includeSelf: boolean;
}

export const SELECTION_OPTIONS = {
  all: { type: "boolean" },
  "path-prefix": { type: "string" },
  tag: { type: "string", multiple: true },
  "created-before": { type: "string" },
  exclude: { type: "string", multiple: true },
  "exclude-from": { type: "string" },
  "inactive-for": { type: "string" },
  "include-self": { type: "boolean" },
} as const;

/** --all and what narrows it: the selection every command that changes or reads many users takes. */
export const SELECTION_NARROWING_HELP = `selection:
  --all                  every user of the account (one ListUsers walk), narrowed by:
    --path-prefix P      users whose path starts with P (/contractors/)
    --tag KEY=VALUE      users carrying this tag (repeatable: all must match; read with GetUser)
    --created-before D   users created before D (2025-01-31, or an ISO date and time)
    --exclude NAME       never this user, whatever the case (repeatable); --exclude-from FILE: names one a line`;

const INACTIVE_FOR_HELP = `  --inactive-for W       W is days or hours (90d, 36h). With --all: users with activity inside W are not selected
                         (listed apart, kept). With names: delete and disable refuse each user with activity inside W,
                         untouched (outcome skipped-active, exit 3). Activity: console password, access keys' last
                         use, per-service last access (IAM's data lags by hours; use through a role is the role's)`;

export const SELECTION_HELP = `${SELECTION_NARROWING_HELP}
${INACTIVE_FOR_HELP}
  --include-self         the caller's own user (STS GetCallerIdentity) may be selected or named, and delete takes it
                         last, once every other user is done; without it --all leaves it out and delete refuses it
                         when named`;

/** disable's: a deny-all on the caller's own user would stop the run, so it is never disabled by its own credentials. */
export const DISABLE_SELECTION_HELP = `${SELECTION_NARROWING_HELP}
${INACTIVE_FOR_HELP}
  caller's own user      (STS GetCallerIdentity) never selected by --all, refused when named: a deny-all on it
                         would stop the run on its own credentials; disable it with other credentials`;

/** A selection option given wrongly; the caller turns it into its usage error. */
export class SelectionError extends Error {}

type SelectionValues = {
  all?: boolean;
  "path-prefix"?: string;
  tag?: string[];
  "created-before"?: string;
  exclude?: string[];
  "exclude-from"?: string;
  "inactive-for"?: string;
  "include-self"?: boolean;
};

/** The selection a command line asks for. Throws SelectionError; never reads files or calls anything. */
export function parseSelection(values: SelectionValues, namesGiven: boolean): Selection {
  const all = values.all ?? false;
  if (all && namesGiven) throw new SelectionError("--all selects the users: give no names (nor --from-file) with it");
  const narrowing = (["path-prefix", "tag", "created-before", "exclude", "exclude-from"] as const).filter((o) => values[o] !== undefined);
  if (!all && narrowing.length > 0) throw new SelectionError(`--${narrowing[0]} narrows --all: add --all, or name the users`);
  const pathPrefix = values["path-prefix"];
  if (pathPrefix !== undefined && !/^\/([\x21-\x7e]*\/)?$/.test(pathPrefix))
    throw new SelectionError(`--path-prefix is an IAM path: it starts and ends with / (/contractors/); got ${JSON.stringify(pathPrefix)}`);
  const tags = (values.tag ?? []).map((t) => {
    const eq = t.indexOf("=");
    if (eq <= 0) throw new SelectionError(`--tag needs KEY=VALUE (the value may be empty: KEY=); got ${JSON.stringify(t)}`);
    return { key: t.slice(0, eq), value: t.slice(eq + 1) };
  });
  let createdBefore: Date | undefined;
  const created = values["created-before"];
  if (created !== undefined) {
    const ms = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(created) ? Date.parse(created) : Number.NaN;
    if (Number.isNaN(ms))
      throw new SelectionError(`--created-before needs a date (2025-01-31) or an ISO date and time; got ${JSON.stringify(created)}`);
    createdBefore = new Date(ms);
  }
  if (values["exclude-from"] === "") throw new SelectionError("--exclude-from needs a path");
  let inactiveFor: Selection["inactiveFor"];
  const window = values["inactive-for"];
  if (window !== undefined) {
    try {
      inactiveFor = { text: window, ms: parseInactivityWindow(window) };
    } catch (err) {
      throw new SelectionError(`--inactive-for: ${(err as Error).message}`);
    }
  }
  return {
    all,
    pathPrefix,
    tags,
    createdBefore,
    exclude: values.exclude ?? [],
    excludeFrom: values["exclude-from"],
    inactiveFor,
    includeSelf: values["include-self"] ?? false,
  };
}

/** The caller's own IAM user, when the credentials are an IAM user's (an assumed role's are not a user's). */
export const selfUserArn = (callerArn: string | undefined): string | undefined =>
  callerArn && /^arn:[^:]+:iam::\d{12}:user\//.test(callerArn) ? callerArn : undefined;

export interface SelectedUsers {
  /** The users selected, in the account's order. */
  selected: User[];
  /** Users that matched but were active inside --inactive-for: kept, each with why. */
  kept: Array<{ user: User; skip: GuardSkip }>;
  /** The caller's own user, when it matched and was left out. */
  leftOutSelf?: string;
  /** Users in the account. */
  walked: number;
  /** --exclude / --exclude-from names that matched no user of the account (a typo protects nobody). */
  unmatchedExclusions: string[];
}

export interface SelectOptions {
  client: IAMClient;
  selection: Selection;
  /** --exclude and --exclude-from, together. */
  excluded: ReadonlySet<string>;
  /** The caller's ARN (STS GetCallerIdentity); undefined with --include-self. */
  callerArn?: string;
  activity: ActivityReader;
  concurrency: number;
}

/**
 * --all: one ListUsers walk, narrowed by what the listing shows (path, creation, exclusions, the caller's own user),
 * then by tags (one GetUser each of those left, as ListUsers shows no tags), then by activity (read for those left).
 */
export async function selectUsers(o: SelectOptions): Promise<SelectedUsers> {
  const ctx = createContext({ client: o.client });
  const s = o.selection;
  const { users } = await listAccountUsers(ctx.send);
  const self = selfUserArn(o.callerArn);
  let leftOutSelf: string | undefined;
  // IAM user names are unique whatever their case: ALICE excludes alice.
  const unmatched = new Map([...o.excluded].map((name) => [name.toLowerCase(), name]));
  const excluded = new Set(unmatched.keys());
  let candidates = users.filter((u) => {
    const name = u.UserName!.toLowerCase();
    if (excluded.has(name)) {
      unmatched.delete(name);
      return false;
    }
    if (s.pathPrefix !== undefined && !(u.Path ?? "/").startsWith(s.pathPrefix)) return false;
    if (s.createdBefore && !(u.CreateDate && u.CreateDate.getTime() < s.createdBefore.getTime())) return false;
    if (self !== undefined && u.Arn === self && !s.includeSelf) {
      leftOutSelf = u.UserName;
      return false;
    }
    return true;
  });
  const pool = new Semaphore(o.concurrency);
  if (s.tags.length > 0) {
    const tagged = await Promise.all(
      candidates.map((u) =>
        pool.run(async () => {
          const full = await getUserOrUndefined(ctx, u.UserName!);
          // Gone since the walk, or renamed and its name taken: not this user any more.
          if (!full || full.UserId !== u.UserId) return undefined;
          const carried = new Map((full.Tags ?? []).map((t) => [t.Key, t.Value ?? ""]));
          return s.tags.every((t) => carried.get(t.key) === t.value) ? full : undefined;
        }),
      ),
    );
    candidates = tagged.filter((u): u is User => u !== undefined);
  }
  const kept: SelectedUsers["kept"] = [];
  if (s.inactiveFor) {
    const windowMs = s.inactiveFor.ms;
    const verdicts = await Promise.all(
      candidates.map((u) => pool.run(async () => ({ user: u, skip: await o.activity.activeSkip(u, windowMs) }))),
    );
    candidates = [];
    for (const v of verdicts) {
      if (v.skip) kept.push({ user: v.user, skip: v.skip });
      else candidates.push(v.user);
    }
  }
  return { selected: candidates, kept, leftOutSelf, walked: users.length, unmatchedExclusions: [...unmatched.values()] };
}

/** "alice, bob, carol, dave, erin and 32 more": the first names of a run, for its question. */
/**
 * What --all chose: "--all: 40 of 312 user(s) selected, 3 kept as active within 90d; left out ...". With several
 * accounts an exclusion need not name a user in each, so `sayUnmatched` is off there.
 */
export function describeSelection(selected: SelectedUsers, selection: Selection, sayUnmatched = true): string {
  const kept = selected.kept.length > 0 ? `, ${selected.kept.length} kept as active within ${selection.inactiveFor?.text}` : "";
  const self = selected.leftOutSelf ? `; left out ${selected.leftOutSelf}, the caller's own user (--include-self to include it)` : "";
  const unmatched =
    sayUnmatched && selected.unmatchedExclusions.length > 0
      ? `; excluded but no such user: ${selected.unmatchedExclusions.join(", ")}`
      : "";
  return `--all: ${selected.selected.length} of ${selected.walked} user(s) selected${kept}${self}${unmatched}`;
}

export function firstNames(names: readonly string[], shown = 5): string {
  if (names.length <= shown) return names.join(", ");
  return `${names.slice(0, shown).join(", ")} and ${names.length - shown} more`;
}
