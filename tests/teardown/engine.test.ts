import { strict as assert } from "node:assert";
import { DeleteAccessKeyCommand, ListUsersCommand, UpdateUserCommand, type User } from "@aws-sdk/client-iam";
import { actionOf } from "../../provider/aws/action";
import { applyRateLimiter, PerActionRateLimiter } from "../../provider/aws/rate-limit";
import { deleteFleet, type UserResult } from "../../provider/cli/fleet";
import { IdentityMismatchError, MissingPermissionError, planTeardown, teardownUser } from "../../provider/teardown";
import { IncompleteListingError } from "../../provider/teardown/paging";
import { everyKind, sdkClientFor, useEmulator } from "../helpers/iam";

const KIND_SEEDS: Record<string, Record<string, unknown>> = {
  loginProfile: { loginProfile: true },
  accessKeys: { accessKeys: 2 },
  sshPublicKeys: { sshKeys: 3 },
  signingCertificates: { signingCertificates: 2 },
  serviceSpecificCredentials: { serviceCredentials: ["codecommit.amazonaws.com", "cassandra.amazonaws.com", "bedrock.amazonaws.com"] },
  mfaDevices: { virtualMfa: ["phone"], hardwareMfa: ["GAHT00000001"], fidoMfa: 2 },
  groupMemberships: { groups: ["g1", "g2"] },
  inlinePolicies: { inlinePolicies: ["p1", "p2"] },
  managedPolicies: { managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "customer-one"] },
};

describe("teardown engine (emulator over HTTP)", () => {
  const env = useEmulator();

  for (const [kind, seed] of Object.entries(KIND_SEEDS)) {
    it(`removes ${kind} alone, then deletes the user in one call`, async () => {
      const userName = `only-${kind}`;
      env.emulator.seed({ users: [{ userName, ...seed }] });
      assert.ok(env.emulator.state.dependencyCounts(userName)[kind] > 0, "seeded");
      const report = await teardownUser({ client: env.client, userName });
      assert.equal(report.outcome, "deleted");
      assert.equal(report.rounds, 1);
      assert.ok(
        report.removed.every((i) => i.kind === kind),
        "only that kind was removed",
      );
      assert.equal(env.emulator.state.userExists(userName), false);
    });
  }

  it("removes every kind together in one pass, leaving no orphaned virtual device and a bystander untouched", async () => {
    env.emulator.seed({ users: [everyKind("alice"), everyKind("bystander")] });
    const before = JSON.stringify(env.emulator.snapshotUser("bystander"));
    env.emulator.clearLog();
    const report = await teardownUser({ client: env.client, userName: "alice" });
    assert.equal(report.outcome, "deleted");
    assert.equal(report.rounds, 1);
    assert.equal(env.emulator.state.userExists("alice"), false);
    assert.equal(report.removed.length, 1 + 2 + 2 + 2 + 3 + 3 + 2 + 2 + 2);
    const orphans = env.emulator.state.listVirtualMfaDevices().filter((d: { serial: string }) => d.serial.includes("alice-phone"));
    assert.deepEqual(orphans, [], "the virtual device is deleted, not left unassigned");
    assert.equal(JSON.stringify(env.emulator.snapshotUser("bystander")), before);
    const mutating = env.emulator.log.filter((e) => e.mutating);
    assert.ok(
      mutating.every((e) => e.userName === "alice" || e.action === "DeleteVirtualMFADevice"),
      "only alice was changed",
    );
    const deleteUserCalls = env.emulator.log.filter((e) => e.action === "DeleteUser");
    assert.equal(deleteUserCalls.length, 1, "one DeleteUser");
    assert.equal(
      env.emulator.log.filter((e) => e.action === "DeleteVirtualMFADevice").length,
      1,
      "only the virtual device is deleted as virtual",
    );
  });

  const mfaMixes: Array<[string, Record<string, unknown>]> = [
    ["virtual only", { virtualMfa: ["v1"] }],
    ["hardware only", { hardwareMfa: ["GAHT10000001"] }],
    ["FIDO only", { fidoMfa: 1 }],
    ["virtual + hardware", { virtualMfa: ["v1"], hardwareMfa: ["GAHT10000002"] }],
    ["virtual + FIDO", { virtualMfa: ["v1"], fidoMfa: 2 }],
    ["hardware + FIDO", { hardwareMfa: ["GAHT10000003"], fidoMfa: 1 }],
    ["all three kinds, several each", { virtualMfa: ["v1", "v2"], hardwareMfa: ["GAHT10000004", "GAHT10000005"], fidoMfa: 3 }],
  ];
  for (const [label, seed] of mfaMixes) {
    it(`handles MFA devices by kind: ${label}`, async () => {
      const userName = `mfa-${label.replace(/[^a-z]+/gi, "-")}`.slice(0, 64);
      const seeded = env.emulator.seed({ users: [{ userName, ...seed }] }).users[userName];
      env.emulator.clearLog();
      const report = await teardownUser({ client: env.client, userName });
      assert.equal(report.rounds, 1);
      const kinds = Object.fromEntries(report.removed.map((i) => [i.id, i.mfaKind]));
      for (const device of seeded.mfaSerials) assert.equal(kinds[device.serial], device.kind, device.serial);
      const deletedVirtual = env.emulator.log
        .filter((e) => e.action === "DeleteVirtualMFADevice")
        .map((e) => e.params.SerialNumber)
        .sort();
      assert.deepEqual(
        deletedVirtual,
        seeded.mfaSerials
          .filter((d) => d.kind === "virtual")
          .map((d) => d.serial)
          .sort(),
      );
      assert.deepEqual(
        env.emulator.log.filter((e) => e.mutating && e.status >= 400).map((e) => e.action),
        [],
        "no removal failed: kinds were known before any removal",
      );
    });
  }

  it("reports a user that does not exist as already gone, changing nothing", async () => {
    env.emulator.clearLog();
    const report = await teardownUser({ client: env.client, userName: "never-existed" });
    assert.equal(report.outcome, "already-gone");
    assert.equal(env.emulator.log.filter((e) => e.mutating).length, 0);
  });

  it("a user recreated under the same name (different UserId) is not the recorded one: that one is gone, the new one untouched", async () => {
    const old = env.emulator.seed({ users: [{ userName: "reused" }] }).users.reused;
    env.emulator.state.removeUserCompletely("reused");
    const stranger = env.emulator.seed({ users: [{ userName: "reused", accessKeys: 1, groups: ["developers"] }] }).users.reused;
    const before = JSON.stringify(env.emulator.snapshotUser("reused"));
    env.emulator.clearLog();
    const log: string[] = [];
    const report = await teardownUser({ client: env.client, userName: "reused", expectedUserId: old.userId, log: (l) => log.push(l) });
    assert.equal(report.outcome, "already-gone");
    assert.deepEqual(report.removed, []);
    assert.ok(
      log.some((l) => l.includes(`different IAM user (UserId ${stranger.userId}), which is left untouched`)),
      log.join("\n"),
    );
    assert.equal(env.emulator.log.filter((e) => e.mutating).length, 0);
    assert.equal(JSON.stringify(env.emulator.snapshotUser("reused")), before);
  });

  it("a user renamed out of band and its name reused: the recorded user is followed, the stranger untouched", async () => {
    const old = env.emulator.seed({ users: [{ userName: "moved-on", accessKeys: 1 }] }).users["moved-on"];
    env.emulator.state.updateUser("moved-on", { newUserName: "moved-on-2" });
    env.emulator.seed({ users: [{ userName: "moved-on", accessKeys: 1 }] });
    const before = JSON.stringify(env.emulator.snapshotUser("moved-on"));
    const report = await teardownUser({ client: env.client, userName: "moved-on", expectedUserId: old.userId });
    assert.deepEqual([report.outcome, report.userName, report.userId], ["deleted", "moved-on-2", old.userId]);
    assert.equal(env.emulator.state.userExists("moved-on-2"), false);
    assert.equal(JSON.stringify(env.emulator.snapshotUser("moved-on")), before);
  });

  it("follows a user renamed out of band by its UserId, and says so", async () => {
    const seeded = env.emulator.seed({ users: [{ userName: "before-rename", accessKeys: 1, groups: ["developers"] }] }).users[
      "before-rename"
    ];
    await env.client.send(new UpdateUserCommand({ UserName: "before-rename", NewUserName: "after-rename" }));
    const lines: string[] = [];
    const report = await teardownUser({
      client: env.client,
      userName: "before-rename",
      expectedUserId: seeded.userId,
      log: (l) => lines.push(l),
    });
    assert.equal(report.outcome, "deleted");
    assert.equal(report.userName, "after-rename");
    assert.equal(report.renamedFrom, "before-rename");
    assert.equal(env.emulator.state.userExists("after-rename"), false);
    assert.ok(lines.some((l) => /renamed to after-rename/.test(l)));
  });

  it("succeeds when neither the name nor the recorded UserId exists", async () => {
    const report = await teardownUser({ client: env.client, userName: "gone-for-good", expectedUserId: "AIDAAAAAAAAAAAAAAAAAA" });
    assert.equal(report.outcome, "already-gone");
  });

  it("companion mode clears every dependency and leaves the user", async () => {
    env.emulator.seed({ users: [everyKind("companion")] });
    const report = await teardownUser({ client: env.client, userName: "companion", deleteUser: false });
    assert.equal(report.outcome, "cleared");
    assert.equal(env.emulator.state.userExists("companion"), true);
    const counts = env.emulator.state.dependencyCounts("companion");
    assert.deepEqual(
      Object.values(counts).filter((n) => n > 0),
      [],
    );
  });

  it("plans without changing anything, in registry order, ending with DeleteUser", async () => {
    env.emulator.seed({ users: [everyKind("planned")] });
    env.emulator.clearLog();
    const plan = await planTeardown({ client: env.client, userName: "planned" });
    assert.equal(env.emulator.log.filter((e) => e.mutating).length, 0);
    assert.equal(plan.exists, true);
    assert.equal(plan.steps.at(-1)!.actions[0], "DeleteUser");
    const virtualStep = plan.steps.find((s) => s.id.endsWith("planned-phone"))!;
    assert.deepEqual(virtualStep.actions, ["DeactivateMFADevice", "DeleteVirtualMFADevice"]);
    const fido = plan.summary.mfaDevices.devices.find((d) => d.kind === "fido");
    assert.ok(fido && /:u2f\//.test(fido.serial));
    assert.equal(plan.summary.total, 19);
  });

  it("logs every removal and ends with one summary line", async () => {
    env.emulator.seed({ users: [{ userName: "logged", accessKeys: 1, fidoMfa: 1 }] });
    const lines: string[] = [];
    await teardownUser({ client: env.client, userName: "logged", log: (l) => lines.push(l) });
    assert.equal(lines.filter((l) => l.startsWith("removed ")).length, 2);
    assert.match(lines.at(-1)!, /^IAM user logged \(AIDA[A-Z0-9]+\) deleted: removed 1 access key, 1 MFA device \(1 FIDO security key\)/);
  });
});

describe("teardown engine with every list forced to pages of one item", () => {
  const env = useEmulator({ maxPageSize: 1 });

  it("walks every page of every kind", async () => {
    env.emulator.seed({ users: [everyKind("paged")] });
    env.emulator.clearLog();
    const report = await teardownUser({ client: env.client, userName: "paged" });
    assert.equal(report.outcome, "deleted");
    assert.equal(report.removed.length, 19);
    const groupListCalls = env.emulator.log.filter((e) => e.action === "ListGroupsForUser").length;
    assert.equal(groupListCalls, 2, "two groups, one per page");
    assert.ok(
      env.emulator.log.some((e) => e.action === "ListMFADevices" && e.params.Marker),
      "MFA list paged",
    );
  });
});

describe("teardown engine: the round trips of one user", () => {
  const env = useEmulator({ latencyMs: 20 });

  it("asks the re-check for DeleteUser beside the removals, and deletes the virtual devices beside DeleteUser", async () => {
    await env.fresh();
    const seeded = env.emulator.seed({ users: [everyKind("wave")] });
    env.emulator.clearLog();
    const report = await teardownUser({ client: env.client, userName: "wave", expectedUserId: seeded.users.wave.userId });
    assert.equal(report.outcome, "deleted");
    const log = env.emulator.log;
    const first = (action: string) => log.find((e) => e.action === action)!;
    const removals = log.filter((e) => e.mutating && !["DeleteUser", "DeleteVirtualMFADevice"].includes(e.action));
    const lastRemovalAnswered = Math.max(...removals.map((e) => e.endedAt));
    assert.ok(first("ListUsers").startedAt < lastRemovalAnswered, "the re-check went out while removals were under way");
    assert.ok(first("DeleteUser").startedAt < first("DeleteVirtualMFADevice").endedAt, "DeleteUser did not wait for the device's deletion");
    assert.deepEqual(
      env.emulator.state.listVirtualMfaDevices().filter((d: { serial: string }) => d.serial.includes("wave-")),
      [],
    );
  });

  it("a device's deletion refused after DeleteUser succeeded: the error says the user is gone, and a rerun deletes the device", async () => {
    await env.fresh({ denyActions: ["DeleteVirtualMFADevice"] });
    const seeded = env.emulator.seed({ users: [{ userName: "late", virtualMfa: ["phone"], accessKeys: 1 }] });
    const serial = seeded.users.late.mfaSerials[0].serial;
    const err = await teardownUser({ client: env.client, userName: "late", expectedUserId: seeded.users.late.userId }).then(
      () => assert.fail("expected the refusal"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof MissingPermissionError, String(err));
    assert.equal(err.action, "DeleteVirtualMFADevice");
    assert.equal(err.userDeleted, true);
    assert.match(err.message, /needs permission iam:DeleteVirtualMFADevice.*The user itself was deleted\./);
    assert.match(err.message, /Partly removed: mfaDevices .*DeactivateMFADevice done: no longer on the user, but still in the account/);
    assert.ok(err.message.includes(serial), "the message names the device left behind");
    assert.equal(env.emulator.state.userExists("late"), false);
    assert.deepEqual(
      env.emulator.state.listVirtualMfaDevices().map((d: { serial: string }) => d.serial),
      [serial],
      "deactivated, unassigned, still in the account",
    );

    // The permission granted, the same teardown again (as a rerun of the destroy passes the recorded devices).
    await env.fresh();
    env.emulator.seed({ unassignedVirtualMfa: [] });
    const device = env.emulator.state.createVirtualMfaDevice("late-phone-again");
    const rerun = await teardownUser({
      client: env.client,
      userName: "late",
      expectedUserId: seeded.users.late.userId,
      knownVirtualMfaSerials: [device.serialNumber],
    });
    assert.equal(rerun.outcome, "already-gone");
    assert.deepEqual(env.emulator.state.listVirtualMfaDevices(), [], "the device left unassigned is deleted");
  });
});

describe("action names survive a minifying bundler (which renames the command classes)", () => {
  const env = useEmulator();

  /** Renames a command class as a minifier would, for the length of `run`. */
  async function withMangledName<T>(cls: { name: string }, run: () => Promise<T>): Promise<T> {
    const original = Object.getOwnPropertyDescriptor(cls, "name")!;
    Object.defineProperty(cls, "name", { value: "e", configurable: true });
    try {
      return await run();
    } finally {
      Object.defineProperty(cls, "name", original);
    }
  }

  it("names the action of a renamed command class, and of a subclass with a mangled name", () => {
    const Mangled = class extends ListUsersCommand {};
    Object.defineProperty(Mangled, "name", { value: "t" });
    assert.equal(actionOf(new Mangled({})), "ListUsers");
    return withMangledName(DeleteAccessKeyCommand, async () => {
      assert.equal(DeleteAccessKeyCommand.name, "e");
      assert.equal(actionOf(new DeleteAccessKeyCommand({ AccessKeyId: "AKIA", UserName: "u" })), "DeleteAccessKey");
    });
  });

  it("a refused removal names the missing permission by its action, not by the renamed class", async () => {
    await env.fresh({ denyActions: ["DeleteAccessKey"] });
    env.emulator.seed({ users: [{ userName: "minified", accessKeys: 1 }] });
    const err = await withMangledName(DeleteAccessKeyCommand, () =>
      teardownUser({ client: env.client, userName: "minified" }).then(
        () => assert.fail("expected the refusal"),
        (e: unknown) => e,
      ),
    );
    assert.ok(err instanceof MissingPermissionError, String(err));
    assert.equal(err.action, "DeleteAccessKey");
    assert.match(err.message, /needs permission iam:DeleteAccessKey,/);
  });

  it("the per-action rate limiter keys a renamed command by its action", async () => {
    await env.fresh({ throttle: { ratePerSecond: 1, burst: 1, actions: ["ListUsers"] } });
    const limiter = new PerActionRateLimiter();
    const client = sdkClientFor(env.emulator.endpoint);
    applyRateLimiter(client, limiter);
    try {
      await withMangledName(ListUsersCommand, async () => {
        const answers = await Promise.allSettled([client.send(new ListUsersCommand({})), client.send(new ListUsersCommand({}))]);
        assert.deepEqual(answers.map((a) => a.status).sort(), ["fulfilled", "rejected"], "one of the two was throttled");
      });
      assert.ok(Number.isFinite(limiter.rateOf("ListUsers")), "the throttle lowered ListUsers' rate");
      assert.equal(limiter.rateOf("e"), Infinity, "nothing was kept under the renamed class's name");
    } finally {
      client.destroy();
    }
  });
});

describe("a page walk IAM's answers cannot complete stops the teardown before anything is changed", () => {
  const env = useEmulator({ maxPageSize: 1 });

  it("a page marked truncated without a Marker: the error names the call, and nothing is removed", async () => {
    await env.fresh({ scripted: [{ fault: "truncated-without-marker", action: "ListAccessKeys", every: true }] });
    env.emulator.seed({ users: [{ userName: "half-listed", accessKeys: 2, groups: ["developers"] }] });
    const before = JSON.stringify(env.emulator.snapshotUser("half-listed"));
    env.emulator.clearLog();
    const err = await teardownUser({ client: env.client, userName: "half-listed" }).then(
      () => assert.fail("expected the teardown to stop"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof IncompleteListingError, String(err));
    assert.equal(err.action, "ListAccessKeys");
    assert.match(
      err.message,
      /^ListAccessKeys answered page 1 as truncated \(IsTruncated\) but without a Marker.*the listing is incomplete/,
    );
    assert.deepEqual(
      env.emulator.log.filter((e) => e.mutating).map((e) => e.action),
      [],
    );
    assert.equal(JSON.stringify(env.emulator.snapshotUser("half-listed")), before);
  });

  it("a Marker the walk already followed: the walk ends with an error naming the call instead of looping", async () => {
    await env.fresh({ scripted: [{ fault: "repeated-marker", action: "ListGroupsForUser", every: true }] });
    env.emulator.seed({ users: [{ userName: "looping", groups: ["g1", "g2", "g3"], accessKeys: 1 }] });
    env.emulator.clearLog();
    const err = await teardownUser({ client: env.client, userName: "looping" }).then(
      () => assert.fail("expected the teardown to stop"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof IncompleteListingError, String(err));
    assert.equal(err.action, "ListGroupsForUser");
    assert.match(err.message, /^ListGroupsForUser answered page 2 with a Marker this listing had already followed/);
    assert.equal(env.emulator.log.filter((e) => e.action === "ListGroupsForUser").length, 2, "two pages asked, no more");
    assert.deepEqual(
      env.emulator.log.filter((e) => e.mutating).map((e) => e.action),
      [],
    );
    assert.equal(env.emulator.state.userExists("looping"), true);
  });

  it("planning says so too, instead of showing a short inventory", async () => {
    await env.fresh({ scripted: [{ fault: "truncated-without-marker", action: "ListSSHPublicKeys" }] });
    env.emulator.seed({ users: [{ userName: "planned-short", sshKeys: 2 }] });
    await assert.rejects(planTeardown({ client: env.client, userName: "planned-short" }), /ListSSHPublicKeys answered page 1 as truncated/);
  });
});

describe("a call IAM carried out whose answer was lost (the connection dropped), retried and answered NoSuchEntity", () => {
  const env = useEmulator();

  it("DeleteUser: the user was deleted by this teardown (outcome deleted), and its removals count as removed", async () => {
    await env.fresh({ scripted: [{ fault: "drop-after-handling", action: "DeleteUser" }] });
    const seeded = env.emulator.seed({ users: [{ userName: "unheard", accessKeys: 1, groups: ["developers"] }] }).users.unheard;
    const lines: string[] = [];
    const report = await teardownUser({
      client: env.client,
      userName: "unheard",
      expectedUserId: seeded.userId,
      log: (l) => lines.push(l),
    });
    assert.deepEqual(
      env.emulator.log.filter((e) => e.action === "DeleteUser").map((e) => `${e.status}:${e.fault ?? "-"}`),
      ["0:drop-after-handling", "404:-"],
      "the first DeleteUser was carried out and its answer lost; the retry answered NoSuchEntity",
    );
    assert.equal(report.outcome, "deleted");
    assert.equal(report.removed.length, 2);
    assert.deepEqual(report.alreadyGone, []);
    assert.equal(env.emulator.state.userExists("unheard"), false);
    assert.ok(!lines.some((l) => /someone else/.test(l)), lines.join("\n"));
    assert.match(lines.at(-1)!, /^IAM user unheard \(AIDA[A-Z0-9]+\) deleted: removed 1 access key, 1 membership of group;/);
  });

  it("DeleteUser answered NoSuchEntity at once (no attempt lost): someone else deleted the user, as before", async () => {
    await env.fresh({ hooks: [{ beforeAction: "DeleteUser", run: (emu) => emu.state.removeUserCompletely("taken-away") }] });
    env.emulator.seed({ users: [{ userName: "taken-away", accessKeys: 1 }] });
    const lines: string[] = [];
    const report = await teardownUser({ client: env.client, userName: "taken-away", log: (l) => lines.push(l) });
    assert.equal(report.outcome, "already-gone");
    assert.ok(lines.some((l) => /deleted by someone else/.test(l)));
  });

  it("a removal's retry answered NoSuchEntity stays already gone (a removal by someone else meanwhile reads the same), and nothing is left", async () => {
    await env.fresh({
      scripted: [
        { fault: "drop-after-handling", action: "DeleteAccessKey" },
        { fault: "drop-after-handling", action: "DeleteVirtualMFADevice" },
      ],
    });
    env.emulator.seed({ users: [{ userName: "lost-answers", accessKeys: 1, virtualMfa: ["phone"] }] });
    const report = await teardownUser({ client: env.client, userName: "lost-answers" });
    const dropped = env.emulator.log.filter((e) => e.fault === "drop-after-handling").map((e) => e.action);
    assert.deepEqual(dropped.sort(), ["DeleteAccessKey", "DeleteVirtualMFADevice"]);
    assert.equal(report.outcome, "deleted");
    assert.deepEqual(report.removed, []);
    assert.deepEqual(report.alreadyGone.map((i) => i.kind).sort(), ["accessKeys", "mfaDevices"]);
    assert.deepEqual(env.emulator.state.listVirtualMfaDevices(), [], "no device left behind");
  });
});

describe("a reused name refused midway says what was removed before the refusal", () => {
  const env = useEmulator();

  /**
   * Round one removes the access key; DeleteUser meets a key that appeared meanwhile (DeleteConflict), and before
   * round two removes it, the name changes hands: the second identity re-check (ListUsers) sees the new user.
   */
  async function reusedInRoundTwo(userName: string) {
    await env.fresh({
      hooks: [
        { beforeAction: "DeleteUser", run: (emu) => emu.state.createAccessKey(userName) },
        {
          beforeAction: "ListUsers",
          nth: 2,
          run: (emu) => {
            emu.state.removeUserCompletely(userName);
            emu.state.createUser(userName);
          },
        },
      ],
    });
    const seeded = env.emulator.seed({ users: [{ userName, accessKeys: 1 }] }).users[userName];
    return { userId: seeded.userId, firstKey: seeded.accessKeyIds[0] };
  }

  it("the error lists the removals and does not say nothing was changed", async () => {
    const { userId, firstKey } = await reusedInRoundTwo("reused-midway");
    const err = await teardownUser({ client: env.client, userName: "reused-midway", expectedUserId: userId }).then(
      () => assert.fail("expected the refusal"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof IdentityMismatchError, String(err));
    assert.equal(err.expectedUserId, userId);
    assert.deepEqual(
      err.removed.map((i) => `${i.kind} ${i.id}`),
      [`accessKeys ${firstKey}`],
    );
    assert.doesNotMatch(err.message, /Nothing was changed/);
    assert.match(err.message, new RegExp(`different user .*Removed before the refusal: accessKeys ${firstKey}\\.`));
    assert.equal(env.emulator.state.dependencyCounts("reused-midway").accessKeys, 0, "the new user was not touched");
  });

  it("the CLI's result for the user counts the removals", async () => {
    const { userId } = await reusedInRoundTwo("reused-fleet");
    const results: UserResult[] = [];
    const run = await deleteFleet({
      client: env.client,
      userNames: ["reused-fleet"],
      concurrency: 1,
      interrupt: new AbortController().signal,
      onResult: (r) => results.push(r),
      targets: {
        found: new Map<string, User>([["reused-fleet", { UserName: "reused-fleet", UserId: userId } as User]]),
        missing: [],
        accounts: [],
      },
      keepUser: false,
    });
    assert.deepEqual(
      run.results.map((r) => [r.outcome, r.removed]),
      [["failed", 1]],
    );
    assert.match(results[0].error!, /Removed before the refusal: accessKeys /);
  });
});
