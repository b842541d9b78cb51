/**
 * What keeps a user of a delete or a disable untouched, in one order for one account and for every account of an
 * organization: the caller's own user, a reviewed plan, activity inside --inactive-for, not disabled for
 * --disabled-for (the last three as the command line asks). The first guard that keeps a user decides; the later ones
 * are not asked.
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import { callerIdentityOf } from "../aws/account-guard";
import { describeFailure } from "../aws/errors";
import type { ActivityReader } from "./activity";
import type { ParsedArgs } from "./args";
import type { FleetTargets, UserGuard } from "./fleet";
import { type PlanFile, planGuard } from "./plan-file";
import { disabledForGuard } from "./quarantine";
import { selfUserArn } from "./selection";

/** The caller's ARN, for "never the caller's own user"; a run that cannot learn it does not guess. */
export async function callerArnForSelf(client: IAMClient): Promise<string | undefined> {
  try {
    return (await callerIdentityOf(client)).arn;
  } catch (err) {
    throw new Error(
      `could not learn whose credentials this run uses (STS GetCallerIdentity: ${describeFailure(err)}), which keeps the caller's own user out of the run; nothing was changed (--include-self runs without the check)`,
    );
  }
}

/** The guards of a run in the account `client` reaches, in their order. */
export async function userGuards(
  args: ParsedArgs,
  o: { client: IAMClient; activity: ActivityReader; targets: FleetTargets; plan?: PlanFile },
): Promise<UserGuard[]> {
  const guards: UserGuard[] = [];
  // The caller's own user, named, is refused (fails alone, untouched): a run must not delete, nor deny every action
  // to, the credentials it runs on. --all left it out already. Enabling gives back; it is not refused.
  const verb = args.command === "delete" ? "delete" : args.command === "disable" ? "disable" : undefined;
  if (verb && !args.selection.includeSelf && !args.selection.all && o.targets.found.size > 0) {
    const self = selfUserArn(await callerArnForSelf(o.client));
    if (self !== undefined)
      guards.push(async (user) => {
        if (user.Arn === self)
          throw new Error(
            `refusing to ${verb} IAM user ${user.UserName}: it is the caller's own user, whose credentials this run uses; nothing was changed (${verb === "delete" ? "--include-self to delete it" : "disable it with other credentials"})`,
          );
        return undefined;
      });
  }
  if (o.plan) guards.push(planGuard(o.plan, { client: o.client }));
  const window = args.selection.inactiveFor;
  if (window) guards.push(o.activity.guard(window.ms));
  if (args.disabledForMs !== undefined)
    guards.push(disabledForGuard(o.client, args.disabledForMs, args.disabledFor ?? "", o.activity.clock));
  return guards;
}

/**
 * With --include-self: the name of the caller's own user among the targets, which then goes last, once every other
 * user is done (its teardown removes the credentials the run goes on with). When STS cannot say who the caller is,
 * no order is imposed: --include-self runs without the check.
 */
export async function callerOwnUserAmong(client: IAMClient, targets: FleetTargets): Promise<string | undefined> {
  let self: string | undefined;
  try {
    self = selfUserArn((await callerIdentityOf(client)).arn);
  } catch {
    return undefined;
  }
  for (const [name, user] of targets.found) if (self !== undefined && user.Arn === self) return name;
  return undefined;
}
