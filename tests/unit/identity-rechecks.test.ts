import { strict as assert } from "node:assert";
import { ListUsersCommand, type User } from "@aws-sdk/client-iam";
import { actionOf } from "../../provider/teardown/context";
import { IdentityMismatchError } from "../../provider/teardown/errors";
import { IdentityRechecks } from "../../provider/teardown/identity-rechecks";
import type { KindContext } from "../../provider/teardown/types";

/** An account of users answering ListUsers (pages of `pageSize`) and GetUser, counting both. */
function account(users: User[], pageSize = 1000) {
  const sent: string[] = [];
  let listing: Promise<void> = Promise.resolve();
  const send = async <O>(command: unknown): Promise<O> => {
    sent.push(actionOf(command));
    await listing;
    const input = (command as { input: { Marker?: string; UserName?: string } }).input;
    if (command instanceof ListUsersCommand) {
      const from = Number(input.Marker ?? 0);
      const page = users.slice(from, from + pageSize);
      const more = from + pageSize < users.length;
      return { Users: page, IsTruncated: more, Marker: more ? String(from + pageSize) : undefined } as O;
    }
    const user = users.find((u) => u.UserName === input.UserName);
    if (!user) throw Object.assign(new Error("no such user"), { name: "NoSuchEntity" });
    return { User: user } as O;
  };
  const ctx = { send } as unknown as KindContext;
  return { sent, send, ctx, hold: (p: Promise<void>) => (listing = p) };
}

const user = (name: string, id = `AIDA${name.toUpperCase().padEnd(17, "X")}`): User => ({
  UserName: name,
  UserId: id,
  Arn: `arn:aws:iam::123456789012:user/${name}`,
  Path: "/",
  CreateDate: new Date(),
});

describe("identity re-checks answered together", () => {
  it("re-checks asked at the same moment are answered by one ListUsers walk", async () => {
    const users = Array.from({ length: 50 }, (_, i) => user(`u${i}`));
    const acc = account(users);
    const rechecks = new IdentityRechecks(acc.send);
    const answers = await Promise.all(users.map((u) => rechecks.confirm(acc.ctx, u.UserName!, u.UserId!)));
    assert.deepEqual(new Set(answers), new Set(["same"]));
    assert.deepEqual(acc.sent, ["ListUsers"]);
  });

  it("a re-check asked while a walk is under way waits for the next walk (what answers it was read after it was asked)", async () => {
    const users = [user("a"), user("b")];
    const acc = account(users);
    const rechecks = new IdentityRechecks(acc.send);
    let release!: () => void;
    acc.hold(new Promise((r) => (release = r)));
    const first = rechecks.confirm(acc.ctx, "a", users[0].UserId!);
    await new Promise((r) => setImmediate(r));
    const second = rechecks.confirm(acc.ctx, "b", users[1].UserId!);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(acc.sent, ["ListUsers"], "the second waits");
    release();
    assert.equal(await first, "same");
    assert.equal(await second, "same");
    assert.deepEqual(acc.sent, ["ListUsers", "ListUsers"]);
  });

  it("a name the walk does not show is asked with GetUser; another UserId under the name is a mismatch", async () => {
    const acc = account([user("taken", "AIDANEWOWNER000000000")]);
    const rechecks = new IdentityRechecks(acc.send);
    const [gone, reused] = await Promise.allSettled([
      rechecks.confirm(acc.ctx, "deleted", "AIDADELETED0000000000"),
      rechecks.confirm(acc.ctx, "taken", "AIDAOLDOWNER000000000"),
    ]);
    assert.deepEqual(gone, { status: "fulfilled", value: "gone" });
    assert.ok(reused.status === "rejected" && reused.reason instanceof IdentityMismatchError);
    assert.deepEqual(acc.sent, ["ListUsers", "GetUser"]);
  });

  it("when a walk costs more pages than there are re-checks waiting, each is a GetUser", async () => {
    const users = Array.from({ length: 30 }, (_, i) => user(`p${i}`));
    const acc = account(users, 10);
    const rechecks = new IdentityRechecks(acc.send, 10);
    await Promise.all(users.slice(0, 5).map((u) => rechecks.confirm(acc.ctx, u.UserName!, u.UserId!)));
    assert.deepEqual(acc.sent, ["ListUsers", "ListUsers", "ListUsers"], "the first walk learns the account takes 3 pages");
    acc.sent.length = 0;
    await Promise.all(users.slice(0, 2).map((u) => rechecks.confirm(acc.ctx, u.UserName!, u.UserId!)));
    assert.deepEqual(acc.sent, ["GetUser", "GetUser"]);
  });

  it("while as many teardowns are under way as a walk has pages, a re-check asked alone still walks", async () => {
    const users = Array.from({ length: 30 }, (_, i) => user(`p${i}`));
    const acc = account(users, 10);
    const rechecks = new IdentityRechecks(acc.send, 10);
    await Promise.all(users.slice(0, 5).map((u) => rechecks.confirm(acc.ctx, u.UserName!, u.UserId!)));
    acc.sent.length = 0;
    const ended = [0, 1, 2].map(() => rechecks.teardownStarted());
    assert.equal(await rechecks.confirm(acc.ctx, "p7", users[7].UserId!), "same");
    assert.deepEqual(acc.sent, ["ListUsers", "ListUsers", "ListUsers"], "three teardowns under way: the walk pays");
    acc.sent.length = 0;
    for (const end of ended) end();
    ended[0]();
    assert.equal(await rechecks.confirm(acc.ctx, "p7", users[7].UserId!), "same");
    assert.deepEqual(acc.sent, ["GetUser"], "none under way any more (a second end counts once)");
  });

  it("a refused walk (no ListUsers permission) falls back to GetUser, and is not tried again", async () => {
    const acc = account([user("a")]);
    const send = async <O>(command: unknown): Promise<O> => {
      if (command instanceof ListUsersCommand) throw Object.assign(new Error("denied"), { name: "AccessDenied" });
      return acc.send<O>(command);
    };
    const rechecks = new IdentityRechecks(send);
    assert.equal(await rechecks.confirm(acc.ctx, "a", user("a").UserId!), "same");
    assert.equal(await rechecks.confirm(acc.ctx, "a", user("a").UserId!), "same");
    assert.equal(rechecks.stats.walks, 0);
    assert.equal(rechecks.stats.answeredByGetUser, 2);
  });
});
