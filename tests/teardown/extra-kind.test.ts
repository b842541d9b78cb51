import { strict as assert } from "node:assert";
import { ListUserTagsCommand, type ListUserTagsCommandOutput, UntagUserCommand } from "@aws-sdk/client-iam";
import { DEPENDENCY_KINDS, defineKind, inventoryOutput, type KindRegistry, planTeardown, teardownUser } from "../../provider/teardown";
import { listUserPages } from "../../provider/teardown/paging";
import { useEmulator } from "../helpers/iam";

/**
 * A tenth kind, declared in this file alone: the user's tags (they do not block DeleteUser, but an IAM API to list and
 * remove them is all a kind needs). Registered in a registry of the test's own, it is listed, planned, removed and
 * reported like the nine, without any other file knowing of it.
 */
const userTags = defineKind({
  id: "userTags",
  singular: "tag",
  title: "tags",
  namedByUserOnly: true,
  listActions: ["ListUserTags"],
  async list(ctx, userName) {
    const tags = await listUserPages(
      ctx,
      userName,
      (input) => new ListUserTagsCommand(input),
      (page: ListUserTagsCommandOutput) => page.Tags,
    );
    return tags.map((t) => ({ kind: "userTags", id: t.Key! }));
  },
  removalActions: () => ["UntagUser"],
  async remove(ctx, userName, item) {
    await ctx.send(new UntagUserCommand({ UserName: userName, TagKeys: [item.id] }));
  },
});
const WITH_TAGS: KindRegistry = [...DEPENDENCY_KINDS, userTags];

describe("teardown: a dependency kind added in one file", () => {
  const env = useEmulator();

  it("is listed, planned, removed and reported", async () => {
    env.emulator.seed({ users: [{ userName: "tagged", accessKeys: 1, tags: { team: "core", cost: "42" } }] });
    const plan = await planTeardown({ client: env.client, userName: "tagged", kinds: WITH_TAGS });
    assert.deepEqual(plan.inventory.userTags.map((i) => i.id).sort(), ["cost", "team"]);
    const tagSteps = plan.steps.filter((s) => s.kind === "userTags");
    assert.deepEqual(tagSteps.map((s) => s.description).sort(), ["remove tag cost", "remove tag team"]);
    assert.deepEqual(tagSteps[0].actions, ["UntagUser"]);
    assert.deepEqual((plan.summary as unknown as Record<string, unknown>).userTags, { count: 2, ids: ["cost", "team"] });

    const lines: string[] = [];
    const report = await teardownUser({ client: env.client, userName: "tagged", kinds: WITH_TAGS, log: (l) => lines.push(l) });
    assert.equal(report.outcome, "deleted");
    assert.deepEqual(
      report.removed
        .filter((i) => i.kind === "userTags")
        .map((i) => i.id)
        .sort(),
      ["cost", "team"],
    );
    assert.match(report.summary, /removed 1 access key, 2 tags;/);
    assert.ok(lines.includes("removed tag team from IAM user tagged"), lines.join("\n"));
    const untagged = env.emulator.log.filter((e) => e.action === "UntagUser" && e.status === 200);
    assert.equal(untagged.length, 2);
  });

  it("leaves the package's registry as it was", async () => {
    assert.equal(DEPENDENCY_KINDS.length, 9);
    assert.equal("userTags" in inventoryOutput(Object.fromEntries(DEPENDENCY_KINDS.map((k) => [k.id, []]))), false);
  });
});
