import { strict as assert } from "node:assert";
import { iamClientFor, processRateLimiter, resetIamClients } from "../../provider/aws/client";
import * as methods from "../../provider/provider-methods";
import { sharedOf } from "../../provider/teardown/context";
import { pointIamEndpointAt, useEmulator } from "../helpers/iam";

/**
 * `pulumi destroy` runs every IamUserTeardown delete of a stack in one provider process, as calls of the provider's
 * `delete`; the CLI runs every user of a command in one process. What they share is shown by the request log.
 */
describe("one process, many teardowns: one client, one limiter, one virtual-device listing, re-checks together", () => {
  const env = useEmulator({ latencyMs: 10 });
  let restoreEndpoint: () => void;
  before(() => (restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint)));
  after(() => restoreEndpoint());
  afterEach(() => resetIamClients());

  it("20 resources deleted side by side, as pulumi destroy does: one ListVirtualMFADevices walk, one GetUser each", async () => {
    const names = Array.from({ length: 20 }, (_, i) => `stack-user-${i}`);
    env.emulator.seed({
      groups: ["staff"],
      users: names.map((userName) => ({
        userName,
        accessKeys: 1,
        loginProfile: true,
        virtualMfa: [`${userName}-phone`],
        groups: ["staff"],
      })),
      unassignedVirtualMfa: ["spare-1", "spare-2"],
    });
    const outs = await Promise.all(
      names.map(async (userName) => {
        const checked = await methods.check({}, { userName, adopt: true });
        return (await methods.create(checked.inputs!)).outs;
      }),
    );
    // A destroy runs in a fresh provider process: nothing cached from the creates.
    resetIamClients();
    env.emulator.clearLog();
    // Pulumi's default parallelism is 10; these are the provider's delete calls of one destroy.
    const queue = [...outs];
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let o = queue.shift(); o; o = queue.shift()) await methods.remove(o.userName, o, undefined, () => undefined);
      }),
    );
    const count = (action: string) => env.emulator.log.filter((e) => e.action === action).length;
    for (const name of names) assert.equal(env.emulator.state.userExists(name), false, name);
    assert.equal(count("ListVirtualMFADevices"), 1, "the account's virtual devices listed once for all 20");
    assert.equal(count("GetUser"), 20, "one identity check per user");
    assert.ok(count("ListUsers") < 20, `the re-checks before DeleteUser answered together: ${count("ListUsers")} walks for 20 users`);
    // Every teardown went through the process's one client, hence its one per-action limiter.
    const client = iamClientFor({});
    assert.ok(sharedOf(client), "the teardowns used the process's client for this connection");
    assert.equal(sharedOf(client)!.rechecks.stats.answeredByWalk + sharedOf(client)!.rechecks.stats.answeredByGetUser, 20);
    assert.ok(processRateLimiter() === processRateLimiter({ maxRatePerAction: 1 }), "one limiter per process");
  });
});
