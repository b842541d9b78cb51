import { strict as assert } from "node:assert";
import { EXIT } from "../../provider/cli";
import { deleteFleet, findTargets, type UserGuard } from "../../provider/cli/fleet";
import { countOutcomes, renderSummary, resultJson } from "../../provider/cli/output";
import { everyKind, useEmulator } from "../helpers/iam";

describe("fleet guards: a user a guard keeps is untouched, reported with why, and the others go on", () => {
  const env = useEmulator();

  it("keeps the guarded user whole (not one call that changes it), tears down the rest, and counts the skip apart", async () => {
    env.emulator.seed({ users: [everyKind("kept"), everyKind("gone-1"), everyKind("gone-2")] });
    const users = ["kept", "gone-1", "gone-2"];
    const targets = await findTargets(env.client, users, 4);
    const guard: UserGuard = async (user) =>
      user.UserName === "kept" ? { outcome: "skipped-active", reason: "active yesterday", details: { lastActivity: "x" } } : undefined;
    const before = env.emulator.state.dependencyCounts("kept");
    env.emulator.clearLog();
    const run = await deleteFleet({
      client: env.client,
      userNames: users,
      concurrency: 3,
      interrupt: new AbortController().signal,
      targets,
      keepUser: false,
      guards: [guard],
      onResult: () => undefined,
    });
    const kept = run.results.find((r) => r.userName === "kept")!;
    assert.equal(kept.outcome, "skipped-active");
    assert.equal(kept.removed, 0);
    assert.equal(kept.userId, targets.found.get("kept")!.UserId);
    const touchingKept = env.emulator.log.filter((e) => e.userName === "kept");
    assert.deepEqual(touchingKept, [], "nothing of the kept user is called, not even a read");
    assert.equal(env.emulator.state.userExists("kept"), true);
    assert.deepEqual(env.emulator.state.dependencyCounts("kept"), before);
    for (const u of ["gone-1", "gone-2"]) assert.equal(env.emulator.state.userExists(u), false, u);
    const counts = countOutcomes(run);
    assert.equal(counts["skipped-active"], 1);
    assert.equal(counts.deleted, 2);
    assert.match(renderSummary(3, counts, run), /^3 user\(s\): 2 deleted, 1 skipped-active\n {2}skipped-active: kept: active yesterday\n$/);
    assert.deepEqual(
      { ...(resultJson(kept) as Record<string, unknown>) },
      {
        type: "user",
        userName: "kept",
        outcome: "skipped-active",
        removed: 0,
        userId: kept.userId,
        arn: kept.arn,
        reason: "active yesterday",
        lastActivity: "x",
      },
    );
  });

  it("a guard that throws fails its user alone, untouched", async () => {
    await env.fresh();
    env.emulator.seed({ users: [everyKind("unreadable"), everyKind("fine")] });
    const users = ["unreadable", "fine"];
    const targets = await findTargets(env.client, users, 2);
    const guard: UserGuard = async (user) => {
      if (user.UserName === "unreadable") throw new Error("cannot tell");
      return undefined;
    };
    const run = await deleteFleet({
      client: env.client,
      userNames: users,
      concurrency: 2,
      interrupt: new AbortController().signal,
      targets,
      keepUser: false,
      guards: [guard],
      onResult: () => undefined,
    });
    assert.equal(run.results.find((r) => r.userName === "unreadable")!.outcome, "failed");
    assert.equal(env.emulator.state.userExists("unreadable"), true);
    assert.equal(env.emulator.state.userExists("fine"), false);
  });

  it("exit code 3 is its own, apart from a failure (1) and an interrupt (130)", () => {
    assert.equal(EXIT.skipped, 3);
    assert.equal(
      new Set(
        Object.entries(EXIT)
          .filter(([k]) => k !== "declined")
          .map(([, v]) => v),
      ).size,
      Object.keys(EXIT).length - 1,
    );
  });
});
