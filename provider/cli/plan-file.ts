import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { describeItem, type TeardownPlan } from "../teardown";
import { createContext } from "../teardown/context";
import { discoverInventory } from "../teardown/engine";
import { flattenInventory } from "../teardown/report";
import type { DependencyItem } from "../teardown/types";
import { accountOf, type UserGuard } from "./fleet";

/**
 * A reviewed plan (`plan --out`): per user the UserId and the identifiers of every item it holds, the account and the
 * time. `delete --plan` tears down exactly these users, each only while it still is what the plan says.
 */
export const PLAN_VERSION = 1;

export interface PlannedUser {
  userName: string;
  userId: string;
  arn?: string;
  /** Per kind id, the identifiers of the items the user held (kinds holding nothing left out). */
  items: Record<string, string[]>;
}

export interface PlanFile {
  planVersion: typeof PLAN_VERSION;
  /** The account the planned users are in; null when none of them exists. */
  accountId: string | null;
  createdAt: string;
  /** Made with --keep-user: the plan clears dependencies and keeps the users. */
  keepUser: boolean;
  users: PlannedUser[];
  /** Names asked for that no user held when the plan was made. */
  absent: string[];
}

const itemsOf = (items: readonly DependencyItem[]): Record<string, string[]> => {
  const byKind: Record<string, string[]> = {};
  for (const item of items) (byKind[item.kind] ??= []).push(item.id);
  for (const ids of Object.values(byKind)) ids.sort();
  return byKind;
};

/**
 * Writes a plan file as the plan run goes, one user at a time, so the run keeps nothing per user (the account may
 * hold thousands). The document is built under a temporary name beside `path` and renamed into place by `finish`:
 * the file is whole or absent. Names asked for that no user held go to a second temporary file, appended at the end.
 */
export class PlanFileWriter {
  private readonly temporary: string;
  private readonly absentTemporary: string;
  private chain: Promise<void>;
  private failure: unknown;
  private usersWritten = 0;
  private absentWritten = 0;
  private accountId: string | null = null;
  private readonly otherAccounts = new Set<string>();

  constructor(
    private readonly path: string,
    private readonly keepUser: boolean,
    private readonly createdAt: Date,
  ) {
    const suffix = `${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    this.temporary = `${path}.${suffix}`;
    this.absentTemporary = `${path}.absent.${suffix}`;
    this.chain = Promise.all([
      fs.promises.writeFile(this.temporary, '{\n  "users": [', { mode: 0o644, flag: "wx" }),
      fs.promises.writeFile(this.absentTemporary, "", { mode: 0o600, flag: "wx" }),
    ]).then(
      () => undefined,
      (err) => {
        this.failure = err;
      },
    );
  }

  /** Users written so far (those that exist). */
  get written(): number {
    return this.usersWritten;
  }

  /** Adds one user's plan to the file. */
  add(plan: TeardownPlan): void {
    if (plan.exists && plan.userId) {
      const account = accountOf(plan.arn);
      if (account !== undefined) {
        if (this.accountId === null) this.accountId = account;
        else if (account !== this.accountId) this.otherAccounts.add(account);
      }
      const user: PlannedUser = {
        userName: plan.userName,
        userId: plan.userId,
        arn: plan.arn,
        items: itemsOf(flattenInventory(plan.inventory)),
      };
      const text = `${this.usersWritten++ === 0 ? "" : ","}\n    ${JSON.stringify(user)}`;
      this.append(this.temporary, text);
    } else if (!plan.exists) {
      const text = `${this.absentWritten++ === 0 ? "" : ","}\n    ${JSON.stringify(plan.requestedUserName)}`;
      this.append(this.absentTemporary, text);
    }
  }

  /** Completes the file and renames it into place; on any failure removes what was written and throws. */
  async finish(): Promise<void> {
    await this.chain;
    try {
      if (this.failure) throw this.failure;
      if (this.otherAccounts.size > 0)
        throw new Error(
          `the planned users are in several accounts (${[this.accountId, ...this.otherAccounts].join(", ")}): plan each account apart`,
        );
      const absent = await fs.promises.readFile(this.absentTemporary, "utf8");
      const rest = {
        planVersion: PLAN_VERSION,
        accountId: this.accountId,
        createdAt: this.createdAt.toISOString(),
        keepUser: this.keepUser,
      };
      const fields = Object.entries(rest).map(([k, v]) => `,\n  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
      await fs.promises.appendFile(
        this.temporary,
        `${this.usersWritten > 0 ? "\n  " : ""}],\n  "absent": [${absent}${this.absentWritten > 0 ? "\n  " : ""}]${fields.join("")}\n}\n`,
      );
      const handle = await fs.promises.open(this.temporary, "r");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.promises.rename(this.temporary, this.path);
    } catch (err) {
      await fs.promises.rm(this.temporary, { force: true });
      throw err;
    } finally {
      await fs.promises.rm(this.absentTemporary, { force: true });
    }
  }

  /** Appends in order; the first failure is kept for `finish`, and nothing more is written after it. */
  private append(file: string, text: string): void {
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        await fs.promises.appendFile(file, text);
      } catch (err) {
        this.failure = err;
      }
    });
  }
}

/** Parses a plan file; throws saying what is wrong with it. */
export function parsePlanFile(text: string, source: string): PlanFile {
  let plan: Partial<PlanFile>;
  try {
    plan = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source} is not JSON: ${(err as Error).message}`);
  }
  if (plan?.planVersion !== PLAN_VERSION)
    throw new Error(
      `${source} is not a plan this version reads (planVersion ${JSON.stringify(plan?.planVersion)}, expected ${PLAN_VERSION})`,
    );
  if (!Array.isArray(plan.users) || typeof plan.createdAt !== "string" || Number.isNaN(Date.parse(plan.createdAt)))
    throw new Error(`${source} lacks its users or the time it was made`);
  for (const u of plan.users)
    if (typeof u?.userName !== "string" || typeof u.userId !== "string" || typeof u.items !== "object")
      throw new Error(`${source}: a user without its name, UserId or items`);
  return plan as PlanFile;
}

/** Why a plan must not be applied here and now, or undefined. Checked before any call that changes anything. */
export function planRefusal(
  plan: PlanFile,
  now: number,
  maxAgeMs: number | undefined,
  accountsFound: readonly string[],
): string | undefined {
  const age = now - Date.parse(plan.createdAt);
  if (maxAgeMs !== undefined && age > maxAgeMs)
    return `the plan was made at ${plan.createdAt}, ${Math.floor(age / 3_600_000)} hour(s) ago, more than --max-plan-age allows: plan again`;
  const other = accountsFound.filter((a) => a !== plan.accountId);
  if (other.length > 0)
    return `the plan is of account ${plan.accountId ?? "(none: it holds no existing user)"}, but its users' names here are in account ${other.join(", ")}`;
  return undefined;
}

const keyOf = (kind: string, id: string) => `${kind} ${id}`;

/** Whether an item is one the plan holds for the user: only those are ever removed. */
export function plannedItems(planned: PlannedUser): (item: DependencyItem) => boolean {
  const keys = new Set(Object.entries(planned.items).flatMap(([kind, ids]) => ids.map((id) => keyOf(kind, id))));
  return (item) => keys.has(keyOf(item.kind, item.id));
}

/**
 * Keeps a user that is no longer what the plan says: another UserId under the name, or another set of items (one
 * added, or one gone). Lists the user's items once, before anything of it is touched.
 */
export function planGuard(plan: PlanFile, ctxOptions: Parameters<typeof createContext>[0]): UserGuard {
  const byName = new Map(plan.users.map((u) => [u.userName, u]));
  return async (user) => {
    const planned = byName.get(user.UserName!);
    if (!planned) return { outcome: "changed-since-plan", reason: "not in the plan", details: { difference: ["not in the plan"] } };
    if (planned.userId !== user.UserId)
      return {
        outcome: "changed-since-plan",
        reason: `another user holds the name now (UserId ${user.UserId}, the plan's is ${planned.userId})`,
        details: { plannedUserId: planned.userId, difference: [`UserId ${planned.userId} -> ${user.UserId}`] },
      };
    const live = flattenInventory(await discoverInventory(createContext(ctxOptions), user.UserName!));
    const inPlan = plannedItems(planned);
    const liveKeys = new Set(live.map((i) => keyOf(i.kind, i.id)));
    const added = live.filter((i) => !inPlan(i)).map((i) => `added: ${describeItem(i)}`);
    const gone = Object.entries(planned.items).flatMap(([kind, ids]) =>
      ids.filter((id) => !liveKeys.has(keyOf(kind, id))).map((id) => `gone: ${describeItem({ kind, id })}`),
    );
    const difference = [...added, ...gone];
    if (difference.length === 0) return undefined;
    return { outcome: "changed-since-plan", reason: `changed since the plan: ${difference.join(", ")}`, details: { difference } };
  };
}
