import { strict as assert } from "node:assert";
import { DeleteAccessKeyCommand, DeleteLoginProfileCommand, DeleteVirtualMFADeviceCommand, IAMClient } from "@aws-sdk/client-iam";
import { HaltingSend, IdentityLost } from "../../provider/teardown/halting-send";
import type { KindContext, SendOptions } from "../../provider/teardown/types";

/** A base context whose sends the test answers by hand; it records what was sent and with which signal. */
function manualContext() {
  const sent: Array<{ action: string; signal?: AbortSignal; answer: (v?: unknown) => void; fail: (e: unknown) => void }> = [];
  const ctx: KindContext = {
    client: new IAMClient({ region: "us-east-1" }),
    pageSize: 1000,
    virtualMfa: { prefetch: () => undefined, classify: async () => "hardware", isUnassignedVirtual: async () => false },
    send<O>(command: unknown, options?: SendOptions): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        const action = (command as object).constructor.name.replace(/Command$/, "");
        sent.push({ action, signal: options?.abortSignal, answer: (v) => resolve(v as O), fail: reject });
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

describe("unit: the halting send of a removal round", () => {
  it("starts the identity re-check once every item's first call has answered", async () => {
    const { ctx, sent } = manualContext();
    let rechecks = 0;
    const sender = new HaltingSend(async () => (rechecks++, "same"), 2);
    const a: string[] = [];
    const b: string[] = [];
    const first = sender.contextFor(ctx, a).send(new DeleteAccessKeyCommand({ UserName: "u", AccessKeyId: "AKIA1" }));
    const second = sender.contextFor(ctx, b).send(new DeleteLoginProfileCommand({ UserName: "u" }));
    await tick();
    sent[0].answer({});
    await first;
    assert.equal(rechecks, 0, "one item has not answered yet");
    sent[1].answer({});
    await second;
    await tick();
    assert.equal(rechecks, 1);
    assert.deepEqual([a, b], [["DeleteAccessKey"], ["DeleteLoginProfile"]]);
    assert.equal(await sender.startRecheck(), "same");
    assert.equal(rechecks, 1, "the re-check runs once");
  });

  it("holds a call made during the re-check, and sends it once the name still holds the user", async () => {
    const { ctx, sent } = manualContext();
    const answer = deferred<"same" | "gone">();
    const sender = new HaltingSend(() => answer.promise, 1);
    void sender.startRecheck();
    const retry = sender.contextFor(ctx, []).send(new DeleteAccessKeyCommand({ UserName: "u", AccessKeyId: "AKIA1" }));
    await tick();
    assert.equal(sent.length, 0, "held until the re-check answers");
    answer.resolve("same");
    await tick();
    assert.equal(sent.length, 1);
    sent[0].answer({});
    await retry;
  });

  it("on a halt, aborts calls under way and refuses new ones, but lets the own device's deletion through", async () => {
    const { ctx, sent } = manualContext();
    const answer = deferred<"same" | "gone">();
    const sender = new HaltingSend(() => answer.promise, 2);
    const underWay = sender.contextFor(ctx, []).send(new DeleteAccessKeyCommand({ UserName: "u", AccessKeyId: "AKIA1" }));
    await tick();
    const recheck = sender.startRecheck();
    answer.resolve("gone");
    assert.equal(await recheck, "gone");
    await assert.rejects(underWay, (err) => err instanceof IdentityLost);
    assert.ok(sender.halted instanceof IdentityLost);
    await assert.rejects(
      sender.contextFor(ctx, []).send(new DeleteLoginProfileCommand({ UserName: "u" })),
      (err) => err instanceof IdentityLost,
    );
    assert.equal(sent.length, 1, "nothing more reached IAM");

    const done: string[] = [];
    const own = sender
      .contextFor(ctx, done)
      .send(new DeleteVirtualMFADeviceCommand({ SerialNumber: "arn:aws:iam::123456789012:mfa/phone" }));
    await tick();
    assert.equal(sent.length, 2);
    assert.equal(sent[1].signal, undefined, "the device's deletion is not tied to the round's abort");
    sent[1].answer({});
    await own;
    assert.deepEqual(done, ["DeleteVirtualMFADevice"]);
  });

  it("halts when the re-check itself fails", async () => {
    const { ctx } = manualContext();
    const sender = new HaltingSend(async () => Promise.reject(new Error("AccessDenied")), 1);
    await assert.rejects(sender.startRecheck(), /AccessDenied/);
    assert.ok(sender.halted);
    await assert.rejects(
      sender.contextFor(ctx, []).send(new DeleteAccessKeyCommand({ UserName: "u", AccessKeyId: "AKIA1" })),
      (err) => err instanceof IdentityLost,
    );
  });
});
