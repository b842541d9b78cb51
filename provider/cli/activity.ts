import type { IAMClient, User } from "@aws-sdk/client-iam";
import { type Clock, systemClock } from "../clock";
import { describeLastActivity, guardVerdict, readUserActivity, type UserActivity } from "../teardown/activity";
import { createContext } from "../teardown/context";
import type { GuardSkip, UserGuard } from "./fleet";

/**
 * IAM's activity data lags by hours, so a reading a few minutes old is as good as a new one: the selection's reading is
 * what the guard decides on, and no user's activity is read twice in one run.
 */
export const ACTIVITY_REUSE_MS = 15 * 60_000;

/** Reads users' activity for a fleet run, once each (by UserId), and keeps it for the run's report. */
export class ActivityReader {
  private readonly byUserId = new Map<string, { activity: UserActivity; readAt: number }>();
  private readonly byName = new Map<string, UserActivity>();
  readonly clock: Clock;

  constructor(
    private readonly client: IAMClient,
    options: { clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async read(user: User): Promise<UserActivity> {
    const cached = this.byUserId.get(user.UserId!);
    if (cached && this.clock.now() - cached.readAt < ACTIVITY_REUSE_MS) return cached.activity;
    const activity = await readUserActivity(createContext({ client: this.client }), user, { clock: this.clock });
    this.remember(user, activity);
    return activity;
  }

  /** An activity read elsewhere (a plan's) for the same run. */
  remember(user: Pick<User, "UserId" | "UserName">, activity: UserActivity): void {
    this.byUserId.set(user.UserId!, { activity, readAt: this.clock.now() });
    this.byName.set(user.UserName!, activity);
  }

  known(userId: string): UserActivity | undefined {
    const cached = this.byUserId.get(userId);
    return cached && this.clock.now() - cached.readAt < ACTIVITY_REUSE_MS ? cached.activity : undefined;
  }

  /** The activity read for a user of this run, by the name it was read under. */
  of(userName: string): UserActivity | undefined {
    return this.byName.get(userName);
  }

  /** Why a user is kept: its last activity inside the window, or undefined when it has been inactive that long. */
  async activeSkip(user: User, windowMs: number): Promise<GuardSkip | undefined> {
    const activity = await this.read(user);
    const now = this.clock.now();
    const mark = guardVerdict(activity, windowMs, now);
    if (!mark) return undefined;
    return { outcome: "skipped-active", reason: describeLastActivity(mark, now), details: { lastActivity: mark } };
  }

  /** The --inactive-for guard: a user with activity inside the window is kept, untouched. */
  guard(windowMs: number): UserGuard {
    return (user) => this.activeSkip(user, windowMs);
  }
}
