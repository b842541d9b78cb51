import type { User } from "@aws-sdk/client-iam";
import { isAccessDenied } from "../aws/errors";
import { IdentityMismatchError } from "./errors";
import { confirmIdentity, listAccountUsers } from "./identity";
import type { KindContext } from "./types";

interface Pending {
  ctx: KindContext;
  userName: string;
  userId: string;
  resolve: (state: "same" | "gone") => void;
  reject: (err: unknown) => void;
}

/**
 * The identity re-checks ("does this name still hold this UserId?") of every teardown sharing a client, answered
 * together. One ListUsers page names up to 1,000 users with their UserIds, so a process tearing down many users at
 * once answers all the re-checks waiting at a moment with one walk of the account's users instead of a GetUser each.
 *
 * A re-check is only valid if what answers it was read after it was asked: a re-check asked while a walk is under way
 * waits for the next walk. A name the walk does not show (deleted, renamed, or skipped between pages by a concurrent
 * change) is asked again with GetUser, so "gone" is never concluded from a walk. When the walk would cost more pages
 * than there are teardowns under way on the client (a big account, a lone teardown), or ListUsers is not allowed,
 * each is a GetUser. Counting the teardowns under way, not only the re-checks waiting at one instant, keeps a fleet on
 * walks when its re-checks arrive one by one (as they do under throttling): GetUser is the action every teardown
 * already needs once per user, ListUsers is otherwise idle.
 */
export class IdentityRechecks {
  private waiting: Pending[] = [];
  private scheduled = false;
  private walking = false;
  /** Pages the last walk took: what the next one is expected to cost. */
  private walkPages = 1;
  private walkRefused = false;
  /** Teardowns under way on this client (see teardownStarted). */
  private active = 0;
  /** Walks made and re-checks they answered (for tests and the bench). */
  readonly stats = { walks: 0, walkPages: 0, answeredByWalk: 0, answeredByGetUser: 0 };

  constructor(
    private readonly send: <O>(command: unknown) => Promise<O>,
    private readonly pageSize = 1000,
  ) {}

  /** A teardown on this client begins; the function returned says it ended. */
  teardownStarted(): () => void {
    this.active++;
    let ended = false;
    return () => {
      if (!ended) this.active--;
      ended = true;
    };
  }

  /** Whether `userName` still holds `userId`: "same", "gone", or an IdentityMismatchError when another user holds it. */
  confirm(ctx: KindContext, userName: string, userId: string): Promise<"same" | "gone"> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ctx, userName, userId, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.walking) return;
    this.scheduled = true;
    // One turn of the event loop gathers the re-checks that teardowns running side by side ask at the same moment.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    if (this.walkRefused || Math.max(batch.length, this.active) < this.walkPages) {
      for (const p of batch) this.byGetUser(p);
      return;
    }
    this.walking = true;
    try {
      const byName = await this.walk(new Set(batch.map((p) => p.userName)));
      for (const p of batch) {
        const user = byName.get(p.userName);
        if (!user) this.byGetUser(p);
        else if (user.UserId === p.userId) {
          this.stats.answeredByWalk++;
          p.resolve("same");
        } else p.reject(new IdentityMismatchError(p.userName, p.userId, user.UserId!));
      }
    } catch (err) {
      if (isAccessDenied(err)) this.walkRefused = true;
      // The walk is an optimisation: whatever it failed on, each re-check is asked on its own.
      for (const p of batch) this.byGetUser(p);
    } finally {
      this.walking = false;
      if (this.waiting.length > 0) this.schedule();
    }
  }

  private byGetUser(p: Pending): void {
    this.stats.answeredByGetUser++;
    confirmIdentity(p.ctx, p.userName, p.userId).then(p.resolve, p.reject);
  }

  /** The users named in `names`, as one walk of the account's users shows them (the rest of the account is not kept). */
  private async walk(names: ReadonlySet<string>): Promise<Map<string, User>> {
    const { users, pages } = await listAccountUsers(this.send, this.pageSize, (u) => names.has(u.UserName!));
    this.walkPages = Math.max(1, pages);
    this.stats.walks++;
    this.stats.walkPages += pages;
    return new Map(users.map((u) => [u.UserName!, u]));
  }
}
