import { strict as assert } from "node:assert";
import { CreateAccessKeyCommand, ListAccessKeysCommand, ListUserPoliciesCommand, ListUserTagsCommand } from "@aws-sdk/client-iam";
import * as methods from "../../provider/provider-methods";
import { disableUser, QUARANTINE_POLICY_NAME, readQuarantineRecord } from "../../provider/teardown/quarantine";
import { UNKNOWN } from "../../provider/validate";
import { pointIamEndpointAt, useEmulator } from "../helpers/iam";

/** The `disabled` input and the `disabledSince` output, through the provider's methods, against the emulator. */
describe("IamUserTeardown: disabled", () => {
  const env = useEmulator();
  let restoreEndpoint: () => void;
  before(() => (restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint)));
  after(() => restoreEndpoint());

  async function checked(news: Record<string, unknown>) {
    const result = await methods.check({}, news);
    assert.deepEqual(result.failures ?? [], []);
    return result.inputs!;
  }
  const tagsOf = async (UserName: string) =>
    Object.fromEntries(((await env.client.send(new ListUserTagsCommand({ UserName }))).Tags ?? []).map((t) => [t.Key!, t.Value!]));
  const keyStatuses = async (UserName: string) =>
    ((await env.client.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata ?? []).map((k) => k.Status);

  it("check refuses tags under the reserved prefix, and a disabled that is not a boolean", async () => {
    const result = await methods.check({}, { userName: "x", tags: { "iam-user-teardown:disabled-since": "now" }, disabled: "yes" });
    assert.deepEqual((result.failures ?? []).map((f) => f.property).sort(), ["disabled", "tags.iam-user-teardown:disabled-since"]);
  });

  it("disabled: true on create disables the new user; dropped, an update enables it; each shows as an update of disabled", async () => {
    const inputs = await checked({ userName: "hana", tags: { team: "a" }, disabled: true });
    const created = await methods.create(inputs);
    assert.ok(created.outs.disabledSince, "disabledSince is an output");
    assert.equal(created.outs.inventory?.inlinePolicies, QUARANTINE_POLICY_NAME);
    assert.deepEqual(created.outs.tags, { team: "a" }, "the record's tags are never the resource's");
    await env.client.send(new CreateAccessKeyCommand({ UserName: "hana" }));

    // Dropped from the program after being declared: enable.
    const news = await checked({ userName: "hana", tags: { team: "a" } });
    const d = await methods.diff("hana", created.outs, news);
    assert.deepEqual(d.detailedDiff, { disabled: { kind: "UPDATE", inputDiff: false } });
    const enabled = await methods.update("hana", created.outs, news);
    assert.equal(enabled.outs.disabledSince, undefined);
    assert.deepEqual(await env.client.send(new ListUserPoliciesCommand({ UserName: "hana" })).then((o) => o.PolicyNames), []);
    assert.deepEqual(await tagsOf("hana"), { team: "a" });
    // The key created while disabled was never Inactive: left Active.
    assert.deepEqual(await keyStatuses("hana"), ["Active"]);

    // Declared again: disable, the key set Inactive.
    const again = await checked({ userName: "hana", tags: { team: "a" }, disabled: true });
    assert.deepEqual((await methods.diff("hana", enabled.outs, again)).detailedDiff, { disabled: { kind: "UPDATE", inputDiff: false } });
    const disabled = await methods.update("hana", enabled.outs, again);
    assert.ok(disabled.outs.disabledSince);
    assert.deepEqual(await keyStatuses("hana"), ["Inactive"]);
    assert.deepEqual((await methods.diff("hana", disabled.outs, again)).changes, false, "disabled as declared: no change");
    assert.equal(
      (await methods.diff("hana", disabled.outs, { ...again, disabled: UNKNOWN as never })).detailedDiff.disabled?.kind,
      "UPDATE",
    );
  });

  it("never declared: a user disabled by the CLI stays disabled through updates, and its reserved tags are never removed", async () => {
    const inputs = await checked({ userName: "ivo", tags: { team: "a", old: "x" } });
    const created = await methods.create(inputs);
    await env.client.send(new CreateAccessKeyCommand({ UserName: "ivo" }));
    await disableUser({ client: env.client, userName: "ivo" });
    const refreshed = await methods.read("ivo", created.outs);
    assert.ok(refreshed.props?.disabledSince, "refresh shows the user disabled");
    assert.deepEqual(refreshed.props?.tags, { team: "a", old: "x" });
    const news = await checked({ userName: "ivo", tags: { team: "b" } });
    const d = await methods.diff("ivo", refreshed.props!, news);
    assert.equal(d.detailedDiff.disabled, undefined, "undeclared: not the resource's to change");
    await methods.update("ivo", refreshed.props!, news);
    const tags = await tagsOf("ivo");
    assert.equal(tags.team, "b");
    assert.equal(tags.old, undefined);
    assert.ok(readQuarantineRecord(tags), "the record's tags are kept");
    assert.deepEqual(await keyStatuses("ivo"), ["Inactive"]);
  });

  it("a destroy of a disabled user tears it down in one pass", async () => {
    const created = await methods.create(await checked({ userName: "jun", disabled: true }));
    await env.client.send(new CreateAccessKeyCommand({ UserName: "jun" }));
    await methods.remove("jun", created.outs, undefined, () => {});
    assert.equal(env.emulator.state.getUser("jun"), undefined);
  });
});
