import { strict as assert } from "node:assert";
import { renderMarkdownSummary } from "../../provider/cli/markdown";
import { planTeardown, type TeardownPlan } from "../../provider/teardown";
import { everyKind, useEmulator } from "../helpers/iam";

/** The review summary for a pull request, rendered from plans of a seeded account. */
describe("Markdown review summary", () => {
  const env = useEmulator();

  const plans = (names: string[]): Promise<TeardownPlan[]> =>
    Promise.all(names.map((userName) => planTeardown({ client: env.client, userName })));

  it("a table per user by kind, MFA devices by their kind, totals, and the users that do not exist", async () => {
    env.emulator.seed({
      users: [
        everyKind("md-ana"),
        { userName: "md-bo", accessKeys: 1, fidoMfa: 2, groups: ["developers"] },
        { userName: "md-cy", hardwareMfa: ["GAHT00000007"], virtualMfa: ["md-cy-phone"] },
        { userName: "md-empty" },
      ],
    });
    const markdown = renderMarkdownSummary(await plans(["md-ana", "md-bo", "md-cy", "md-empty", "md-gone"]));
    const table = markdown.split("\n").filter((l) => l.startsWith("|"));
    assert.deepEqual(table, [
      "| user | console passwords | access keys | SSH public keys | signing certificates | service-specific credentials | virtual MFA devices | hardware TOTP tokens | FIDO security keys | groups | inline policies | managed policies | total |",
      "|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
      "| `md-ana` | 1 | 2 | 2 | 2 | 3 | 1 | 1 | 1 | 2 | 2 | 2 | **19** |",
      "| `md-bo` | · | 1 | · | · | · | · | · | 2 | 1 | · | · | **4** |",
      "| `md-cy` | · | · | · | · | · | 1 | 1 | · | · | · | · | **2** |",
      "| `md-empty` | · | · | · | · | · | · | · | · | · | · | · | **0** |",
      "| `md-gone` |  |  |  |  |  |  |  |  |  |  |  | does not exist |",
      "| **all users** | **1** | **3** | **2** | **2** | **3** | **2** | **2** | **3** | **3** | **2** | **2** | **25** |",
    ]);
    assert.match(
      markdown,
      /^### IAM user teardown plan\n\n5 users, 1 not in IAM\. A teardown would remove 25 items and delete 4 users\.\n/,
    );
    assert.match(markdown, /Not in IAM, nothing to remove: `md-gone`\./);
    assert.doesNotMatch(markdown, /None of/, "every column holds something");
  });

  it("leaves out the kinds nobody holds and names them below the table", async () => {
    env.emulator.seed({ users: [{ userName: "md-keys", accessKeys: 2, hardwareMfa: ["GAHT00000008"] }] });
    const markdown = renderMarkdownSummary(await plans(["md-keys"]));
    assert.deepEqual(
      markdown.split("\n").filter((l) => l.startsWith("|")),
      ["| user | access keys | hardware TOTP tokens | total |", "|:--|--:|--:|--:|", "| `md-keys` | 2 | 1 | **3** |"],
    );
    assert.match(
      markdown,
      /None of the user holds console passwords, SSH public keys, signing certificates, service-specific credentials, virtual MFA devices, FIDO security keys, groups, inline policies, managed policies\./,
    );
    assert.match(markdown, /1 user\. A teardown would remove 3 items and delete 1 user\./);
  });

  it("names every user that could not be read, with the reason, and counts them apart from the totals", async () => {
    env.emulator.seed({ users: [{ userName: "md-read", accessKeys: 2 }] });
    const markdown = renderMarkdownSummary(await plans(["md-read"]), [
      { userName: "md-denied", reason: "ListAccessKeys: AccessDenied: not authorized\n| to list" },
      { userName: "md-late", reason: "not read: the run was interrupted first" },
    ]);
    assert.deepEqual(
      markdown.split("\n").filter((l) => l.startsWith("|")),
      [
        "| user | access keys | total |",
        "|:--|--:|--:|",
        "| `md-read` | 2 | **2** |",
        "| `md-denied` |  | **could not be read** |",
        "| `md-late` |  | **could not be read** |",
      ],
    );
    assert.match(
      markdown,
      /^### IAM user teardown plan\n\n3 users, 2 could not be read\. A teardown would remove at least 2 items and delete at least 1 user; the users not read are not counted\.\n/,
    );
    // The reason on one line, never able to break out of its list item.
    assert.match(markdown, /^- `md-denied`: ListAccessKeys: AccessDenied: not authorized \\\| to list$/m);
    assert.match(markdown, /^- `md-late`: not read: the run was interrupted first$/m);
  });

  it("an empty list says so", () => {
    assert.match(renderMarkdownSummary([]), /0 users\. A teardown would remove 0 items\./);
  });
});
