/**
 * Bad input gets a clear answer before anything is called: every invalid input of the resource fails `check` with a
 * failure naming the property and the rule it breaks, and the CLI refuses bad arguments with exit code 2. An
 * emulator stands ready the whole time (AWS_ENDPOINT_URL_IAM points at it): its request log must stay empty.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXIT, runCli } from "../../provider/cli";
import * as methods from "../../provider/provider-methods";
import { MAX_TAGS, PARTITIONS, UNKNOWN, validateConnection } from "../../provider/validate";
import { pointIamEndpointAt } from "../helpers/iam";
import type { Emulator } from "../iam-emulator";
import { countBadInput, freshClients, hostileEmulator, TargetWatch } from "./support";

interface Case {
  label: string;
  inputs: Record<string, unknown>;
  /** The property the failure must name (exactly, or as a prefix ending in "."). */
  property: string;
  /** Words of the rule the failure's reason must state. */
  rule: RegExp;
}

const OK = { userName: "valid-user" };
const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));

const RULES = {
  userName: /1-64 characters of letters, digits and \+ = , \. @ _ -/,
  path: /must begin and end with "\/", be at most 512 characters and contain only printable ASCII without spaces/,
  boundary: /must be the ARN of a managed policy/,
  region: /must be an AWS region name/,
  profile: /non-empty name of a profile/,
  roleArn: /must be an IAM role ARN/,
  flag: /must be true or false/,
  unknown: /is not an input of IamUserTeardown \(credentials are never inputs/,
};

/** Generated invalid inputs: each breaks exactly one rule (the rest of the inputs is valid). */
function cases(): Case[] {
  const out: Case[] = [];
  const add = (label: string, inputs: Record<string, unknown>, property: string, rule: RegExp) =>
    out.push({ label, inputs: { ...OK, ...inputs }, property, rule });

  // userName: IAM's [\w+=,.@-]{1,64}
  for (const bad of [
    "",
    "has space",
    "x".repeat(65),
    "semi;colon",
    "slash/name",
    "back\\slash",
    "quote'd",
    "star*",
    "hash#",
    "ñandú",
    "tab\tname",
    "newline\n",
    "emoji🙂",
    "percent%",
  ]) {
    add(`userName ${JSON.stringify(bad).slice(0, 30)}`, { userName: bad }, "userName", RULES.userName);
  }
  for (const bad of [42, true, null, ["a"], { name: "a" }])
    add(
      `userName of type ${bad === null ? "null" : Array.isArray(bad) ? "array" : typeof bad}`,
      { userName: bad },
      "userName",
      RULES.userName,
    );
  out.push({ label: "userName missing", inputs: { path: "/" }, property: "userName", rule: /userName is required/ });

  // path: IAM's (\u002F)|(\u002F[\u0021-\u007E]+\u002F), at most 512
  for (const bad of [
    "no-slashes",
    "/no-trailing",
    "no-leading/",
    "/has space/",
    "//",
    "/ünïcode/",
    `/${"x".repeat(511)}/`,
    "",
    "/tab\t/",
  ]) {
    add(`path ${JSON.stringify(bad).slice(0, 30)}`, { path: bad }, "path", RULES.path);
  }
  add("path of type number", { path: 7 }, "path", RULES.path);

  // tags: a map; at most 50; key 1-128, value 0-256, IAM's characters; no aws: prefix
  add("tags as an array", { tags: [["k", "v"]] }, "tags", /tags must be a map of tag keys to string values/);
  add("tags as a string", { tags: "k=v" }, "tags", /tags must be a map/);
  add("tags null", { tags: null }, "tags", /tags must be a map/);
  add(`${MAX_TAGS + 1} tags`, { tags: tags(MAX_TAGS + 1) }, "tags", /at most 50 tags/);
  add("an empty tag key", { tags: { "": "v" } }, "tags.", /a tag key must be 1-128 characters/);
  add("a 129-character tag key", { tags: { ["k".repeat(129)]: "v" } }, "tags.", /a tag key must be 1-128 characters/);
  add("a 257-character tag value", { tags: { k: "v".repeat(257) } }, "tags.k", /at most 256 characters/);
  for (const key of ["aws:reserved", "AWS:Reserved", "aws:"])
    add(`tag key ${key}`, { tags: { [key]: "v" } }, `tags.${key}`, /reserved prefix "aws:"/);
  for (const key of ["semi;colon", "angle<", "hash#", "star*", "emoji🙂"])
    add(`tag key ${key}`, { tags: { [key]: "v" } }, `tags.${key}`, /may contain only letters, digits, spaces and _ \. : \/ = \+ - @/);
  for (const value of ["semi;colon", 'quote"', "emoji🙂"])
    add(`tag value ${value}`, { tags: { k: value } }, "tags.k", /may contain only letters, digits, spaces and _ \. : \/ = \+ - @/);
  for (const value of [5, true, null, { nested: "x" }])
    add(`tag value of type ${value === null ? "null" : typeof value}`, { tags: { k: value } }, "tags.k", /must be a string/);

  // permissionsBoundary: a managed policy ARN
  for (const bad of [
    "not-an-arn",
    "arn:aws:iam::123:policy/short-account",
    "arn:aws:iam::123456789012:role/a-role",
    "arn:aws:s3:::bucket",
    "arn:aws:iam::123456789012:policy/",
    "ReadOnlyAccess",
    "",
    "arn:aws:iam::123456789012:policy/has space",
  ]) {
    add(`permissionsBoundary ${JSON.stringify(bad).slice(0, 40)}`, { permissionsBoundary: bad }, "permissionsBoundary", RULES.boundary);
  }
  add("permissionsBoundary of type number", { permissionsBoundary: 1 }, "permissionsBoundary", RULES.boundary);

  // region, profile, roleArn
  for (const bad of ["Mars", "us_east_1", "US-EAST-1", "useast1", "us-east-1 ", "", "us-east"])
    add(`region ${JSON.stringify(bad)}`, { region: bad }, "region", RULES.region);
  add("region of type number", { region: 1 }, "region", RULES.region);
  for (const bad of ["", "   ", 5]) add(`profile ${JSON.stringify(bad)}`, { profile: bad }, "profile", RULES.profile);
  for (const bad of [
    "arn:aws:iam::123456789012:user/someone",
    "arn:aws:iam::123:role/short-account",
    "role/deployer",
    "arn:aws:sts::123456789012:assumed-role/r/s",
    "",
  ]) {
    add(`roleArn ${JSON.stringify(bad)}`, { roleArn: bad }, "roleArn", RULES.roleArn);
  }

  // flags, and options that contradict each other
  for (const [flag, bad] of [
    ["deleteUser", "false"],
    ["deleteUser", 0],
    ["adopt", "yes"],
    ["adopt", 1],
    ["adopt", null],
  ] as const) {
    add(`${flag} ${JSON.stringify(bad)}`, { [flag]: bad }, flag, RULES.flag);
  }
  add(
    "deleteUser: false with adopt: false",
    { deleteUser: false, adopt: false },
    "adopt",
    /deleteUser: false \(companion mode\) manages a user created elsewhere, so it always adopts; adopt: false contradicts it/,
  );

  // credentials and other properties that are not inputs
  for (const prop of [
    "secretAccessKey",
    "accessKeyId",
    "sessionToken",
    "password",
    "secretKey",
    "credentials",
    "endpoint",
    "username",
    "forceDestroy",
  ]) {
    add(`unknown property ${prop}`, { [prop]: "value" }, prop, RULES.unknown);
  }
  return out;
}

/** Bad command lines for the CLI: each must exit 2 with the usage, having called nothing. */
const BAD_ARGV: string[][] = [
  [],
  ["explode", "someone"],
  ["Plan", "someone"],
  ["plan"],
  ["delete"],
  // Many users are fine, but --expect-user-id names the UserId of one.
  ["delete", "a", "b", "--yes", "--expect-user-id", "AIDAIOSFODNN7EXAMPLE"],
  ["plan", "a", "--from-file="],
  ["delete", "a", "--yes", "--concurrency", "0"],
  ["delete", "a", "--yes", "--concurrency", "many"],
  ["plan", "bad name!"],
  ["plan", "x".repeat(65)],
  ["delete", "semi;colon", "--yes"],
  ["plan", "ñandú"],
  ["plan", "a", "--yes"],
  ["plan", "a", "--keep-user"],
  ["delete", "a", "--nope"],
  ["delete", "a", "-x"],
  ["delete", "a", "--region"],
  ["delete", "a", "--region", "--yes"],
  ["delete", "a", "--profile"],
  ["delete", "a", "--role-arn"],
  ["delete", "a", "--region="],
  ["delete", "a", "--expect-user-id"],
  ["delete", "a", "--expect-user-id", "not-an-id"],
  // Any UserId form IAM documents is accepted (word characters, 16 to 128); shorter, longer or other characters are not.
  ["delete", "a", "--expect-user-id", "AIDA12345678901"],
  ["delete", "a", "--expect-user-id", "A".repeat(129)],
  ["delete", "a", "--expect-user-id=aida-lowercase"],
  ["delete", "a", "--json=true"],
  ["delete", "a", "--yes=no"],
  ["--json"],
  ["plan", "a", "--from-file"],
  ["delete", "a", "b"],
  ["plan", "--concurrency", "2"],
  // Markdown is a review view of a plan.
  ["delete", "a", "--markdown", "--yes"],
  ["plan", "a", "--markdown", "--json"],
  // No terminal to ask on, and no --yes.
  ["delete", "a"],
  // The resource's rules (validate.ts) for the connection flags.
  ["plan", "someone", "--region", "Mars"],
  ["plan", "someone", "--role-arn", "role/x"],
  ["plan", "someone", "--profile", " "],
];

describe("hostile: bad input gets a clear answer before anything is called", () => {
  let emulator: Emulator;
  let restoreEndpoint: () => void;
  before(async () => {
    emulator = await hostileEmulator({ seed: 1700 }, new TargetWatch([]));
    emulator.seed({ users: [{ userName: "a", accessKeys: 1 }, { userName: "someone" }, { userName: "valid-user" }] });
    restoreEndpoint = pointIamEndpointAt(emulator.endpoint);
  });
  after(async () => {
    restoreEndpoint();
    freshClients();
    await emulator.stop();
  });
  afterEach(() =>
    assert.deepEqual(
      emulator.log.map((e) => e.action),
      [],
      "nothing was called",
    ),
  );

  const all = cases();

  it(`the resource's check refuses ${all.length} generated invalid inputs, each failure naming the property and the rule`, async () => {
    assert.ok(all.length >= 60, `${all.length} cases`);
    const misses: string[] = [];
    for (const c of all) {
      const result = await methods.check({}, c.inputs);
      const failures = result.failures ?? [];
      const named = failures.filter((f) => (c.property.endsWith(".") ? f.property.startsWith(c.property) : f.property === c.property));
      const ok = named.some((f) => c.rule.test(f.reason));
      if (!countBadInput(ok)) misses.push(`${c.label}: ${JSON.stringify(failures)}`);
    }
    assert.deepEqual(misses, []);
  });

  it("a failure names every broken property at once, and valid inputs (and values unknown during preview) pass", async () => {
    const many = await methods.check({}, { userName: "bad name", path: "x", region: "Mars", secretAccessKey: "s", adopt: "no" });
    assert.deepEqual((many.failures ?? []).map((f) => f.property).sort(), ["adopt", "path", "region", "secretAccessKey", "userName"]);
    const valid = [
      { userName: "a" },
      {
        userName: "x".repeat(64),
        path: `/${"p".repeat(510)}/`,
        tags: { ...tags(49), ключ: "значение" },
        permissionsBoundary: "arn:aws:iam::aws:policy/ReadOnlyAccess",
      },
      {
        userName: "svc+ci=1,a.b@c-d_e",
        region: "eu-west-1",
        profile: "ops",
        roleArn: "arn:aws:iam::123456789012:role/path/deployer",
        deleteUser: false,
      },
      { userName: UNKNOWN, path: UNKNOWN, tags: { team: UNKNOWN }, permissionsBoundary: UNKNOWN, region: UNKNOWN, roleArn: UNKNOWN },
      { userName: "a", __provider: "serialized provider", adopt: true, deleteUser: false },
    ];
    for (const inputs of valid) assert.deepEqual((await methods.check({}, inputs)).failures ?? [], [], JSON.stringify(inputs).slice(0, 80));
  });

  it("a region and ARNs of every supported partition pass, the European sovereign cloud's (eusc-de-east-1, arn:aws-eusc:) among them", async () => {
    const regions = [
      "us-east-1",
      "cn-north-1",
      "us-gov-west-1",
      "us-iso-east-1",
      "us-isob-east-1",
      "eu-isoe-west-1",
      "us-isof-south-1",
      "eusc-de-east-1",
    ];
    const misses: string[] = [];
    for (const partition of PARTITIONS) {
      const inputs = {
        userName: "a",
        region: regions[PARTITIONS.indexOf(partition)],
        roleArn: `arn:${partition}:iam::123456789012:role/deployer`,
        permissionsBoundary: `arn:${partition}:iam::123456789012:policy/boundary`,
      };
      const failures = (await methods.check({}, inputs)).failures ?? [];
      if (failures.length > 0) misses.push(`${partition}: ${JSON.stringify(failures)}`);
    }
    assert.deepEqual(misses, []);
    assert.equal(regions.length, PARTITIONS.length, "one region per partition");
    assert.deepEqual(validateConnection({ region: "eusc-de-east-1", roleArn: "arn:aws-eusc:iam::123456789012:role/x" }), []);
    // The wider area does not let anything through: too long an area, or none, is still refused.
    for (const bad of ["europe-de-east-1", "e-de-east-1", "eusc-1"])
      assert.deepEqual(
        validateConnection({ region: bad }).map((f) => f.property),
        ["region"],
        bad,
      );
  });

  it(`the CLI refuses ${BAD_ARGV.length} bad command lines with exit code 2 and the usage`, async () => {
    const misses: string[] = [];
    for (const argv of BAD_ARGV) {
      let stderr = "";
      const code = await runCli(argv, { stdout: () => undefined, stderr: (t) => (stderr += t) });
      const ok = code === EXIT.usage && /usage:/.test(stderr) && (argv.length === 0 || /iam-user-teardown: \S/.test(stderr));
      if (!countBadInput(ok)) misses.push(`${JSON.stringify(argv)} -> ${code}: ${stderr.split("\n")[0]}`);
    }
    assert.deepEqual(misses, []);
  });

  it("a --from-file that cannot be read, or that names an invalid user, exits 2 before any call", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iut-bad-input-"));
    try {
      const badFile = path.join(dir, "bad.txt");
      fs.writeFileSync(badFile, "fine-user\nnot a valid name!\n");
      for (const argv of [
        ["delete", "--from-file", path.join(dir, "missing.txt"), "--yes"],
        ["delete", "ok-name", "--yes", "--from-file", badFile],
      ]) {
        let stderr = "";
        const code = await runCli(argv, { stdout: () => undefined, stderr: (t) => (stderr += t) });
        assert.ok(countBadInput(code === EXIT.usage && /usage:/.test(stderr)), `${JSON.stringify(argv)} -> ${code}: ${stderr}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
