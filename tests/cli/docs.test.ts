/**
 * The reference docs cannot drift from the code they describe: docs/cli.md holds the CLI's own --help output
 * verbatim, every exit code the CLI uses and every field its --json lines carry; and every relative link in the
 * README and the docs leads to a file, and a heading, that exist.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { resetIamClients } from "../../provider/aws/client";
import { EXIT, runCli } from "../../provider/cli";
import { COMMAND_HELP } from "../../provider/cli/args";
import { pointIamEndpointAt } from "../helpers/iam";
import { type Emulator, startEmulator } from "../iam-emulator";

const ROOT = path.resolve(__dirname, "../..");
const CLI_DOC = path.join(ROOT, "docs/cli.md");

async function cli(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** The text of a Markdown file from the heading that starts with `heading` to the next heading of its level. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`\n${heading}`);
  assert.ok(start >= 0, `no heading ${JSON.stringify(heading)}`);
  const level = heading.slice(0, heading.indexOf(" ") + 1);
  const end = text.indexOf(`\n${level}`, start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

describe("docs/cli.md: the CLI's reference", () => {
  const doc = fs.readFileSync(CLI_DOC, "utf8");

  // The top level and every command the CLI has: a command added to COMMAND_HELP must be documented too.
  const helpRuns: Array<{ command: string; argv: string[] }> = [
    { command: "iam-user-teardown --help", argv: ["--help"] },
    ...Object.keys(COMMAND_HELP).map((name) => ({ command: `iam-user-teardown ${name} --help`, argv: [name, "--help"] })),
  ];
  for (const { command, argv } of helpRuns) {
    it(`holds the output of \`${command}\` verbatim`, async () => {
      const run = await cli(argv);
      assert.equal(run.code, EXIT.ok, run.stderr);
      const help = run.stdout.trimEnd();
      assert.ok(help.length > 0, `${command} printed nothing`);
      assert.ok(
        doc.includes(`\n\`\`\`text\n${help}\n\`\`\`\n`),
        `docs/cli.md does not hold the output of \`${command}\` as it is now: paste it in its \`\`\`text block`,
      );
    });
  }

  it("has a row for every exit code the CLI uses", () => {
    const table = section(doc, "## Exit codes");
    for (const [meaning, code] of Object.entries(EXIT)) {
      assert.match(table, new RegExp(`^\\| ${code} +\\|`, "m"), `exit code ${code} (${meaning}) has no row`);
    }
  });

  describe("names every field of the --json lines", () => {
    let emulator: Emulator;
    let restoreEndpoint: () => void = () => undefined;
    const fields = section(doc, "## JSON lines");
    /** Every field name in `lines`: the top level, each plan step's and each kind of a plan's summary. */
    const fieldNames = (stdout: string): Set<string> => {
      const names = new Set<string>();
      for (const line of stdout.trim().split("\n")) {
        const value = JSON.parse(line) as Record<string, unknown>;
        for (const key of Object.keys(value)) names.add(key);
        for (const step of (value.steps as object[] | undefined) ?? []) for (const key of Object.keys(step)) names.add(key);
        for (const [kind, detail] of Object.entries((value.summary as Record<string, unknown> | undefined) ?? {})) {
          names.add(kind);
          if (detail && typeof detail === "object") for (const key of Object.keys(detail)) names.add(key);
        }
      }
      return names;
    };
    const undocumented = (names: Set<string>) => [...names].filter((name) => !fields.includes(`\`${name}\``));

    before(async () => {
      resetIamClients();
      // One user with every kind, one that cannot be torn down (a permission is missing), one that does not exist.
      emulator = await startEmulator({ port: 0, denyActions: ["DeleteSSHPublicKey"] });
      emulator.seed({
        users: [
          {
            userName: "everything",
            loginProfile: true,
            accessKeys: 1,
            signingCertificates: 1,
            serviceCredentials: ["codecommit.amazonaws.com"],
            virtualMfa: ["everything-phone"],
            hardwareMfa: ["GAHT00000001"],
            fidoMfa: 1,
            groups: ["staff"],
            inlinePolicies: ["inline"],
            managedPolicies: ["shared"],
          },
          { userName: "blocked", sshKeys: 1 },
        ],
      });
      restoreEndpoint = pointIamEndpointAt(emulator.endpoint);
    });
    after(async () => {
      restoreEndpoint();
      await emulator?.stop();
      resetIamClients();
    });

    it("plan --json", async () => {
      const run = await cli(["plan", "everything", "blocked", "nobody", "--json"]);
      assert.equal(run.code, EXIT.ok, run.stderr);
      assert.deepEqual(undocumented(fieldNames(run.stdout)), [], "fields of plan --json missing from docs/cli.md's JSON lines");
    });

    it("delete --json, a failure included, whose error names the missing permission as the docs say", async () => {
      const run = await cli(["delete", "everything", "blocked", "nobody", "--yes", "--json"]);
      assert.equal(run.code, EXIT.failed, run.stderr);
      const outcomes = run.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { outcome?: string; error?: string });
      assert.deepEqual(outcomes.map((o) => o.outcome).sort(), [undefined, "already-gone", "deleted", "failed"].sort());
      assert.match(outcomes.find((o) => o.outcome === "failed")?.error ?? "", /needs permission iam:DeleteSSHPublicKey/);
      assert.deepEqual(undocumented(fieldNames(run.stdout)), [], "fields of delete --json missing from docs/cli.md's JSON lines");
    });
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");

function anchorsIn(file: string): Set<string> {
  const text = fs.readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1])));
}

describe("the README and the docs: every relative link leads somewhere", () => {
  const docs = [
    "README.md",
    "CONTRIBUTING.md",
    "ARCHITECTURE.md",
    "bench/README.md",
    ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`),
  ]
    .filter((f) => f.endsWith(".md"))
    .map((f) => path.join(ROOT, f));

  for (const file of docs) {
    it(path.relative(ROOT, file), () => {
      const text = fs.readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
      const broken: string[] = [];
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target)) continue;
        const [link, anchor] = target.split("#");
        const linked = link === "" ? file : path.resolve(path.dirname(file), link);
        if (!fs.existsSync(linked)) broken.push(`${target}: no such file`);
        else if (anchor !== undefined && linked.endsWith(".md") && !anchorsIn(linked).has(anchor))
          broken.push(`${target}: no such heading`);
      }
      assert.deepEqual(broken, []);
    });
  }
});
