import { strict as assert } from "node:assert";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  GetUserCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListGroupsCommand,
  ListUsersCommand,
} from "@aws-sdk/client-iam";
import { sdkClientFor } from "../helpers/iam";
import { type Emulator, type EmulatorOptions, startEmulator } from "../iam-emulator";
import { expectIamError, sleep } from "./support";

/** Runs `body` against a fresh emulator and client, stopping both afterwards. */
async function withEmulator(options: EmulatorOptions, body: (emu: Emulator, iam: IAMClient) => Promise<void>): Promise<void> {
  const emu = await startEmulator({ port: 0, ...options });
  const iam = sdkClientFor(emu.endpoint);
  try {
    await body(emu, iam);
  } finally {
    iam.destroy();
    await emu.stop();
  }
}

/** Status and fault of each of `n` sequential ListUsers calls. */
async function outcomes(options: EmulatorOptions, n: number): Promise<string[]> {
  let out: string[] = [];
  await withEmulator(options, async (emu, iam) => {
    for (let i = 0; i < n; i++) await iam.send(new ListUsersCommand({})).catch(() => undefined);
    out = emu.log.map((e) => `${e.status}:${e.fault ?? "-"}`);
  });
  return out;
}

describe("emulator: injected faults", () => {
  describe("seeded random faults", () => {
    const shares: EmulatorOptions = { throttleShare: 0.2, serverErrorShare: 0.2 };

    it("replays exactly with the same seed and differs with another", async () => {
      const a = await outcomes({ ...shares, seed: 42 }, 40);
      const b = await outcomes({ ...shares, seed: 42 }, 40);
      const c = await outcomes({ ...shares, seed: 43 }, 40);
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
      assert.ok(a.some((o) => o === "200:-") && a.some((o) => o !== "200:-"), a.join(","));
    });

    it('throttleShare 1 answers every call 400 Throttling "Rate exceeded"', async () => {
      await withEmulator({ throttleShare: 1 }, async (emu, iam) => {
        await expectIamError(iam.send(new ListUsersCommand({})), "Throttling", 400, "Rate exceeded");
        assert.equal(emu.log[0].fault, "throttle");
      });
    });

    it("serverErrorShare 1 answers 500 ServiceFailure or 503 ServiceUnavailable, both over enough calls", async () => {
      await withEmulator({ serverErrorShare: 1, seed: 5 }, async (emu, iam) => {
        for (let i = 0; i < 20; i++) await iam.send(new ListUsersCommand({})).catch(() => undefined);
        const seen = new Set(emu.log.map((e) => `${e.status} ${e.errorCode}`));
        assert.deepEqual([...seen].sort(), ["500 ServiceFailure", "503 ServiceUnavailable"]);
      });
    });

    it("dropConnectionShare 1 destroys the socket without an answer; the SDK retries it", async () => {
      await withEmulator({ dropConnectionShare: 1 }, async (emu) => {
        const retrying = sdkClientFor(emu.endpoint, { maxAttempts: 3 });
        await assert.rejects(retrying.send(new ListUsersCommand({})), (e: Error) =>
          /socket hang up|ECONNRESET|closed|terminated/i.test(`${e.name} ${e.message}`),
        );
        retrying.destroy();
        assert.equal(emu.log.length, 3);
        assert.ok(emu.log.every((e) => e.fault === "drop" && e.status === 0));
      });
    });

    it("concurrentModificationShare 1 answers mutating calls 409 ConcurrentModification and leaves reads alone", async () => {
      await withEmulator({ concurrentModificationShare: 1 }, async (emu, iam) => {
        await expectIamError(iam.send(new CreateUserCommand({ UserName: "cm" })), "ConcurrentModification", 409);
        assert.equal(emu.state.userExists("cm"), false);
        await iam.send(new ListUsersCommand({}));
        assert.deepEqual(
          emu.log.map((e) => e.fault),
          ["concurrent-modification", undefined],
        );
      });
    });

    it("faultActions limits random faults to the named actions", async () => {
      await withEmulator({ serverErrorShare: 1, faultActions: ["iam:DeleteUser"] }, async (emu, iam) => {
        await iam.send(new CreateUserCommand({ UserName: "target" }));
        await iam.send(new ListUsersCommand({}));
        const err = await iam
          .send(new DeleteUserCommand({ UserName: "target" }))
          .catch((e: { $metadata: { httpStatusCode: number } }) => e);
        assert.ok([500, 503].includes((err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode));
        assert.equal(emu.state.userExists("target"), true);
      });
    });
  });

  describe("token-bucket throttling", () => {
    it("gives each action its own bucket of `burst` tokens refilled at ratePerSecond", async () => {
      await withEmulator({ throttle: { ratePerSecond: 5, burst: 3 } }, async (emu, iam) => {
        for (let i = 0; i < 3; i++) await iam.send(new ListUsersCommand({}));
        await expectIamError(iam.send(new ListUsersCommand({})), "Throttling", 400, "Rate exceeded");
        assert.equal(emu.log.at(-1)?.fault, "throttle-rate");
        await iam.send(new ListGroupsCommand({})); // another action, another bucket
        await sleep(250); // one token back at 5/s
        await iam.send(new ListUsersCommand({}));
        await expectIamError(iam.send(new ListUsersCommand({})), "Throttling", 400);
      });
    });

    it("throttles only the listed actions", async () => {
      await withEmulator({ throttle: { ratePerSecond: 1, burst: 1, actions: ["ListUsers"] } }, async (_emu, iam) => {
        await iam.send(new ListUsersCommand({}));
        await expectIamError(iam.send(new ListUsersCommand({})), "Throttling", 400);
        for (let i = 0; i < 5; i++) await iam.send(new ListGroupsCommand({}));
      });
    });
  });

  describe("scripted faults", () => {
    it("drop-after-handling carries the request out, then loses the answer: the client's retry finds the work done", async () => {
      await withEmulator({ scripted: [{ fault: "drop-after-handling", action: "DeleteUser" }] }, async (emu, iam) => {
        emu.seed({ users: [{ userName: "dropped" }, { userName: "second" }] });
        await assert.rejects(iam.send(new DeleteUserCommand({ UserName: "dropped" })), (err: Error) => {
          assert.ok(
            !("$metadata" in err && (err as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode),
            "no answer came",
          );
          return true;
        });
        assert.equal(emu.state.userExists("dropped"), false, "the request was carried out");
        assert.equal(emu.log.at(-1)!.fault, "drop-after-handling");
        await expectIamError(iam.send(new DeleteUserCommand({ UserName: "dropped" })), "NoSuchEntity", 404);
        // Only the first DeleteUser was aimed at: the next one is answered as usual.
        await iam.send(new DeleteUserCommand({ UserName: "second" }));
        assert.deepEqual(
          emu.log.map((e) => `${e.action}:${e.status}:${e.fault ?? "-"}`),
          ["DeleteUser:0:drop-after-handling", "DeleteUser:404:-", "DeleteUser:200:-"],
        );
      });
    });

    it("drop-after-handling under the SDK's own retries: the request is sent twice, and the second answers NoSuchEntity", async () => {
      await withEmulator({ scripted: [{ fault: "drop-after-handling", action: "DeleteAccessKey" }] }, async (emu) => {
        const seeded = emu.seed({ users: [{ userName: "keyholder", accessKeys: 1 }] }).users.keyholder;
        const retrying = sdkClientFor(emu.endpoint, { maxAttempts: 3 });
        try {
          await expectIamError(
            retrying.send(new DeleteAccessKeyCommand({ UserName: "keyholder", AccessKeyId: seeded.accessKeyIds[0] })),
            "NoSuchEntity",
            404,
          );
        } finally {
          retrying.destroy();
        }
        assert.deepEqual(
          emu.log.map((e) => `${e.action}:${e.status}:${e.fault ?? "-"}`),
          ["DeleteAccessKey:0:drop-after-handling", "DeleteAccessKey:404:-"],
        );
        assert.equal(emu.state.dependencyCounts("keyholder").accessKeys, 0);
      });
    });

    it("truncated-without-marker answers the nth page of an action with IsTruncated and no Marker", async () => {
      await withEmulator(
        { maxPageSize: 1, scripted: [{ fault: "truncated-without-marker", action: "ListUsers", nth: 2 }] },
        async (emu, iam) => {
          emu.seed({ users: [{ userName: "a" }, { userName: "b" }, { userName: "c" }] });
          const first = await iam.send(new ListUsersCommand({}));
          assert.equal(first.IsTruncated, true);
          assert.ok(first.Marker);
          const second = await iam.send(new ListUsersCommand({ Marker: first.Marker }));
          assert.equal(second.IsTruncated, true);
          assert.equal(second.Marker, undefined);
          assert.deepEqual(
            second.Users?.map((u) => u.UserName),
            ["b"],
          );
          assert.deepEqual(
            emu.log.map((e) => e.fault ?? "-"),
            ["-", "truncated-without-marker"],
          );
        },
      );
    });

    it("repeated-marker answers a page asked with a Marker with that same Marker; a first page is answered as it is", async () => {
      await withEmulator(
        { maxPageSize: 1, scripted: [{ fault: "repeated-marker", action: "ListUsers", every: true }] },
        async (emu, iam) => {
          emu.seed({ users: [{ userName: "a" }, { userName: "b" }, { userName: "c" }] });
          const first = await iam.send(new ListUsersCommand({}));
          assert.ok(first.IsTruncated && first.Marker);
          const second = await iam.send(new ListUsersCommand({ Marker: first.Marker }));
          assert.equal(second.IsTruncated, true);
          assert.equal(second.Marker, first.Marker);
          assert.deepEqual(
            emu.log.map((e) => e.fault ?? "-"),
            ["-", "repeated-marker"],
          );
        },
      );
    });
  });

  describe("latency", () => {
    it("adds latencyMs to every call", async () => {
      await withEmulator({ latencyMs: 120 }, async (emu, iam) => {
        const t0 = Date.now();
        await iam.send(new ListUsersCommand({}));
        assert.ok(Date.now() - t0 >= 110, `took ${Date.now() - t0}ms`);
        assert.ok(emu.log[0].endedAt - emu.log[0].startedAt >= 110);
      });
    });
  });

  describe("hooks", () => {
    it("afterRequests fires before the n-th request is handled", async () => {
      await withEmulator({ hooks: [{ afterRequests: 3, run: (e) => void e.state.createAccessKey("alice") }] }, async (emu, iam) => {
        emu.seed({ users: [{ userName: "alice" }] });
        assert.equal((await iam.send(new ListAccessKeysCommand({ UserName: "alice" }))).AccessKeyMetadata?.length, 0);
        assert.equal((await iam.send(new ListAccessKeysCommand({ UserName: "alice" }))).AccessKeyMetadata?.length, 0);
        assert.equal((await iam.send(new ListAccessKeysCommand({ UserName: "alice" }))).AccessKeyMetadata?.length, 1);
        assert.equal((await iam.send(new ListAccessKeysCommand({ UserName: "alice" }))).AccessKeyMetadata?.length, 1, "fires once");
      });
    });

    it("beforeAction (nth) lets something appear just before DeleteUser, once", async () => {
      await withEmulator(
        { hooks: [{ beforeAction: "DeleteUser", nth: 1, run: (e) => void e.state.createAccessKey("bob") }] },
        async (emu, iam) => {
          emu.seed({ users: [{ userName: "bob" }] });
          await expectIamError(
            iam.send(new DeleteUserCommand({ UserName: "bob" })),
            "DeleteConflict",
            409,
            "Cannot delete entity, must delete access keys first.",
          );
          const [k] = (await iam.send(new ListAccessKeysCommand({ UserName: "bob" }))).AccessKeyMetadata!;
          await iam.send(new DeleteAccessKeyCommand({ UserName: "bob", AccessKeyId: k.AccessKeyId }));
          await iam.send(new DeleteUserCommand({ UserName: "bob" }));
        },
      );
    });

    it("every: beforeAction fires on each matching request from the nth on; afterRequests on every n-th request", async () => {
      const fired = { action: [] as number[], periodic: [] as number[] };
      await withEmulator(
        {
          hooks: [
            { beforeAction: "ListUsers", nth: 2, every: true, run: (e) => void fired.action.push(e.requestCount) },
            { afterRequests: 3, every: true, run: (e) => void fired.periodic.push(e.requestCount) },
          ],
        },
        async (_emu, iam) => {
          for (let i = 0; i < 4; i++) await iam.send(new ListUsersCommand({}));
          for (let i = 0; i < 3; i++) await iam.send(new ListGroupsCommand({}));
        },
      );
      assert.deepEqual(fired.action, [2, 3, 4]);
      assert.deepEqual(fired.periodic, [3, 6]);
    });

    it("a hook that throws answers its request 500 and is recorded", async () => {
      await withEmulator(
        {
          hooks: [
            {
              afterRequests: 1,
              run: () => {
                throw new Error("boom");
              },
            },
          ],
        },
        async (emu, iam) => {
          await expectIamError(iam.send(new ListUsersCommand({})), "ServiceFailure", 500, /boom/);
          assert.equal(emu.log[0].fault, "hook-error");
          assert.equal(emu.hookErrors[0].message, "boom");
        },
      );
    });
  });

  describe("caller policy", () => {
    it("answers actions the policy does not allow with 403 AccessDenied naming the action and resource, as AWS words it", async () => {
      await withEmulator({ policy: { Statement: [{ Effect: "Allow", Action: ["iam:List*", "iam:Get*"] }] } }, async (emu, iam) => {
        emu.seed({ users: [{ userName: "carol", path: "/staff/" }] });
        await iam.send(new ListUsersCommand({}));
        await iam.send(new GetUserCommand({ UserName: "carol" }));
        await expectIamError(
          iam.send(new DeleteUserCommand({ UserName: "carol" })),
          "AccessDenied",
          403,
          "User: arn:aws:sts::123456789012:assumed-role/EmulatorCaller/x is not authorized to perform: iam:DeleteUser on resource: arn:aws:iam::123456789012:user/staff/carol because no identity-based policy allows the iam:DeleteUser action",
        );
        assert.equal(emu.state.userExists("carol"), true);
        assert.equal(emu.log.at(-1)?.fault, "access-denied");
      });
    });

    it("honours explicit Deny over Allow, with resource patterns", async () => {
      await withEmulator(
        {
          policy: {
            Statement: [
              { Effect: "Allow", Action: "iam:*", Resource: "*" },
              { Effect: "Deny", Action: "iam:DeleteUser", Resource: "arn:aws:iam::123456789012:user/protected/*" },
            ],
          },
        },
        async (emu, iam) => {
          emu.seed({ users: [{ userName: "safe", path: "/protected/" }, { userName: "doomed" }] });
          await iam.send(new DeleteUserCommand({ UserName: "doomed" }));
          await expectIamError(iam.send(new DeleteUserCommand({ UserName: "safe" })), "AccessDenied", 403, /with an explicit deny/);
        },
      );
    });

    it("denyActions answers just those actions AccessDenied", async () => {
      await withEmulator({ denyActions: ["CreateAccessKey"] }, async (emu, iam) => {
        emu.seed({ users: [{ userName: "dora" }] });
        await expectIamError(iam.send(new CreateAccessKeyCommand({ UserName: "dora" })), "AccessDenied", 403, /iam:CreateAccessKey/);
        assert.equal(emu.state.dependencyCounts("dora").accessKeys, 0);
        await iam.send(new ListAccessKeysCommand({ UserName: "dora" }));
      });
    });
  });
});
