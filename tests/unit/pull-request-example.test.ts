import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

/** js-yaml is in node_modules already (through @pulumi/pulumi and mocha); only its load is needed. */
const yaml = require("js-yaml") as { load(text: string): unknown };

const EXAMPLE = path.resolve(__dirname, "../../examples/pull-request-review");

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { "runs-on": string; steps: Step[] }>;
}

/** The example CI workflow that posts the preview and the review summary on every pull request. */
describe("examples/pull-request-review", () => {
  const text = fs.readFileSync(path.join(EXAMPLE, "iam-user-review.yml"), "utf8");
  const workflow = yaml.load(text) as Workflow;
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const runs = steps.map((s) => s.run ?? "");
  const stepRunning = (pattern: RegExp): number => {
    const at = runs.findIndex((r) => pattern.test(r));
    assert.ok(at >= 0, `no step runs ${pattern}\n${runs.join("\n---\n")}`);
    return at;
  };

  it("is a GitHub Actions workflow that runs on every pull request, allowed to comment", () => {
    assert.ok("pull_request" in workflow.on, JSON.stringify(workflow.on));
    assert.equal(workflow.permissions["pull-requests"], "write");
    for (const job of Object.values(workflow.jobs)) assert.ok(job["runs-on"] && job.steps.length > 0);
  });

  it("runs pulumi preview --refresh --diff and the Markdown plan, then posts both in one comment", () => {
    const preview = stepRunning(/\bpulumi preview\b[^\n]*--refresh[^\n]*--diff/);
    const plan = stepRunning(/\bnpx iam-user-teardown plan --markdown --from-file\b/);
    const comment = stepRunning(/\bgh pr comment\b/);
    assert.ok(preview < comment && plan < comment, "the comment comes after both");
    assert.match(runs[preview], /tee preview\.txt/);
    assert.match(runs[plan], /> plan\.md/);
    assert.match(runs[comment], /cat plan\.md/);
    assert.match(runs[comment], /preview\.txt/);
    assert.match(runs[comment], /--body-file comment\.md/);
    assert.match(runs[preview], /set -o pipefail/, "a failed preview fails its step, not hidden by tee");
    assert.ok(
      steps.some((s) => s.uses?.startsWith("pulumi/actions@")),
      "installs the Pulumi CLI",
    );
  });

  it("its README names the workflow and both commands", () => {
    const readme = fs.readFileSync(path.join(EXAMPLE, "README.md"), "utf8");
    for (const s of ["iam-user-review.yml", "pulumi preview --refresh --diff", "iam-user-teardown plan --markdown --from-file users.txt"])
      assert.ok(readme.includes(s), s);
  });
});
