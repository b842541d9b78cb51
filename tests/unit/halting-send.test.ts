import { strict as assert } from "node:assert";
import { DeleteAccessKeyCommand, DeleteLoginProfileCommand, DeleteVirtualMFADeviceCommand, IAMClient } from "@aws-sdk/client-iam";
import { HaltingSend, IdentityLost } from "../../provider/teardown/halting-send";
import type { KindContext, ListingMark, SendOptions } from "../../provider/teardown/types";

/** A base context whose sends the test answers by hand; it records what was sent and with which signal. */
function manualContext() {
  const sent: Array<{ action: string; signal?: AbortSignal; answer: (v?: unknown) => void; fail: (e: unknown) => void }> = [];
  const ctx: KindContext = {
    client: new IAMClient({ region: "us-east-1" }),
    pageSize: 1000,
    virtualMfa: {
      prefetch: () => undefined,
      mark: () => 0 as ListingMark,
      classify: async () => "hardware",
      isUnassignedVirtual: async () => false,
    },
    send<O>(command: unknown, options?: SendOptions): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        const action = (command as object).constructor.name.replace(/Command$/, "");
        sent.push({ action, signal: options?.abortSignal, answer: (v) => resolve(v as O), fail: reject });
        // As the SDK's stack reports it once the attempt is handed to the HTTP handler.
        options?.onSent?.();
        options?.abortSignal?.addEventListener("abort", () => reject(options.abortSignal!.reason));
      });
    },
  };
  return { ctx, sent };
}

const tick = () => new Promise((r) => setImmediate(r));

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A round of `items` whose re-check always finds the same user, and how many times it was asked. */
function countingSender(items: number) {
  let asked = 0;
  const sender = new HaltingSend(async () => {
    asked++;
    return "same" as const;
  }, items);
  return { sender, rechecks: () => asked };
}

describe("unit: the halting send of a removal round", () => {
  const key = (id: string) => new DeleteAccessKeyCommand({ UserName: "u", AccessKeyId: id });

  it("asks the identity re-check as soon as every item's first call has gone out, beside them, and once", async () => {
    const { ctx, sent } = manualContext();
    const { sender, rechecks } = countingSender(2);
    const a: string[] = [];
    const b: string[] = [];
    const first = sender.contextFor(ctx, a).send(key("AKIA1"));
    await tick();
    assert.equal(rechecks(), 0, "one item has not sent its first call yet");
    const second = sender.contextFor(ctx, b).send(new DeleteLoginProfileCommand({ UserName: "u" }));
    await tick();
    assert.equal(rechecks(), 1, "asked while both calls are still under way");
    sent[0].answer({});
    sent[1].answer({});
    await Promise.all([first, second]);
    assert.deepEqual([a, b], [["DeleteAccessKey"], ["DeleteLoginProfile"]]);
    assert.equal(await sender.confirmAfterRemovals(), "same");
    assert.equal(rechecks(), 1, "its answer, asked after the last call went out, serves DeleteUser");
  });

  it("asks again before DeleteUser when a call to the user went out after the re-check was asked (a retry)", async () => {
    const { ctx, sent } = manualContext();
    const { sender, rechecks } = countingSender(1);
    const item = sender.contextFor(ctx, []);
    const first = item.send(key("AKIA1"));
    await tick();
    assert.equal(rechecks(), 1);
    sent[0].fail(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }));
    await assert.rejects(first);
    const retry = item.send(key("AKIA1"));
    await tick();
    assert.equal(sent.length, 2, "the retry went out once the re-check answered");
    sent[1].answer({});
    await retry;
    assert.equal(await sender.confirmAfterRemovals(), "same");
    assert.equal(rechecks(), 2, "the first answer was read before the retry went out");
  });

  it("holds a call made during the re-check, and sends it once the name still holds the user", async () => {
    const { ctx, sent } = manualContext();
    const answer = deferred<"same" | "gone">();
    const sender = new HaltingSend(() => answer.promise, 1);
    const item = sender.contextFor(ctx, []);
    const first = item.send(key("AKIA1"));
    await tick();
    const retry = item.send(key("AKIA1"));
    await tick();
    assert.equal(sent.length, 1, "held until the re-check answers");
    answer.resolve("same");
    await tick();
    assert.equal(sent.length, 2);
    sent[0].answer({});
    sent[1].answer({});
    await Promise.all([first, retry]);
  });

  it("on a halt, aborts calls under way and refuses new ones, but lets the own device's deletion through", async () => {
    const { ctx, sent } = manualContext();
    const answer = deferred<"same" | "gone">();
    const sender = new HaltingSend(() => answer.promise, 1);
    const underWay = sender.contextFor(ctx, []).send(key("AKIA1"));
    await tick();
    answer.resolve("gone");
    assert.equal(await sender.confirmAfterRemovals(), "gone");
    await assert.rejects(underWay, (err) => err instanceof IdentityLost);
    assert.ok(sender.halted instanceof IdentityLost);
    await assert.rejects(
      sender.contextFor(ctx, []).send(new DeleteLoginProfileCommand({ UserName: "u" })),
      (err) => err instanceof IdentityLost,
    );
    assert.equal(sent.length, 1, "nothing more reached IAM");

    const done: string[] = [];
    let userPartDone = false;
    const own = sender
      .contextFor(ctx, done, () => (userPartDone = true))
      .send(new DeleteVirtualMFADeviceCommand({ SerialNumber: "arn:aws:iam::123456789012:mfa/phone" }));
    await tick();
    assert.ok(userPartDone, "a device's deletion names no user: the item is done with the user");
    assert.equal(sent.length, 2);
    assert.equal(sent[1].signal, undefined, "the device's deletion is not tied to the round's abort");
    sent[1].answer({});
    await own;
    assert.deepEqual(done, ["DeleteVirtualMFADevice"]);
  });

  it("halts when the re-check itself fails", async () => {
    const { ctx, sent } = manualContext();
    const sender = new HaltingSend(async () => Promise.reject(new Error("AccessDenied")), 1);
    const underWay = sender.contextFor(ctx, []).send(key("AKIA1"));
    await assert.rejects(sender.confirmAfterRemovals(), /AccessDenied/);
    assert.ok(sender.halted);
    await assert.rejects(underWay, (err) => err instanceof IdentityLost);
    await assert.rejects(sender.contextFor(ctx, []).send(key("AKIA2")), (err) => err instanceof IdentityLost);
    assert.equal(sent.length, 1);
  });
});
