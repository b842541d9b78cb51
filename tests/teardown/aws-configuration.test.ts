import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetUserCommand } from "@aws-sdk/client-iam";
import { AccountNotAllowedError } from "../../provider/aws/account-guard";
import { iamClientFor, resetIamClients, USER_AGENT } from "../../provider/aws/client";
import { runCli } from "../../provider/cli";
import { awsStackConnection, resolveConnection, type StackConfigReader } from "../../provider/connection";
import * as methods from "../../provider/provider-methods";
import { validateInputs } from "../../provider/validate";
import { everyKind } from "../helpers/iam";
import { type Emulator, startEmulator } from "../iam-emulator";

/** Stack config as Pulumi hands it to the provider: flat `aws:key` strings, objects and lists as JSON. */
function stackConfig(values: Record<string, unknown>): StackConfigReader {
  const raw = Object.fromEntries(Object.entries(values).map(([k, v]) => [`aws:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
  return { get: (key) => raw[key] };
}

/** Sets environment variables for one test and puts them back. */
function withEnv(values: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(values)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  return () => {
    for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  };
}

/** A fresh shared config and credentials file pair (a new path each time: the SDK caches files by path). */
function awsFiles(profiles: Record<string, { key?: string; region?: string; maxAttempts?: number; retryMode?: string }>) {
  const dir = mkdtempSync(join(tmpdir(), "aws-config-"));
  const config = Object.entries(profiles)
    .map(([name, p]) =>
      [
        `[profile ${name}]`,
        p.region && `region = ${p.region}`,
        p.maxAttempts && `max_attempts = ${p.maxAttempts}`,
        p.retryMode && `retry_mode = ${p.retryMode}`,
      ]
        .filter(Boolean)
        .join("\n"),
    )
    .join("\n\n");
  const credentials = Object.entries(profiles)
    .filter(([, p]) => p.key)
    .map(([name, p]) => `[${name}]\naws_access_key_id = ${p.key}\naws_secret_access_key = secret-of-${name}`)
    .join("\n\n");
  writeFileSync(join(dir, "config"), `${config}\n`);
  writeFileSync(join(dir, "credentials"), `${credentials}\n`);
  return { AWS_CONFIG_FILE: join(dir, "config"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials") };
}

describe("AWS configuration as the SDK reads it", () => {
  let emulator: Emulator;
  let restore: (() => void) | undefined;
  beforeEach(async () => {
    emulator = await startEmulator({ port: 0 });
    resetIamClients();
  });
  afterEach(async () => {
    restore?.();
    restore = undefined;
    resetIamClients();
    await emulator.stop();
  });
  const env = (values: Record<string, string | undefined>) => {
    const put = withEnv({ AWS_ENDPOINT_URL_IAM: emulator.endpoint, AWS_ENDPOINT_URL_STS: emulator.endpoint, ...values });
    const before = restore;
    restore = () => (put(), before?.());
  };
  const getUser = (connection: Parameters<typeof iamClientFor>[0], tuning?: Parameters<typeof iamClientFor>[1]) =>
    iamClientFor(connection, tuning).send(new GetUserCommand({ UserName: "ana" }));

  describe("the stack's aws: config, read when the provider runs", () => {
    it("reads region, profile, a role chain with its options, account restrictions and the IAM endpoint", () => {
      const c = awsStackConnection(
        stackConfig({
          region: "eu-west-1",
          profile: "ops",
          assumeRoles: [
            { roleArn: "arn:aws:iam::111111111111:role/hop", externalId: "x-1", sessionName: "s1", durationSeconds: 1800 },
            { roleArn: "arn:aws:iam::222222222222:role/admin", duration: "1h30m" },
            { externalId: "entry without a role is skipped" },
          ],
          allowedAccountIds: ["222222222222"],
          forbiddenAccountIds: ["999999999999"],
          endpoints: [{ s3: "http://s3.local" }, { iam: "http://iam.local" }],
        }),
      );
      assert.deepEqual(c, {
        region: "eu-west-1",
        profile: "ops",
        assumeRoles: [
          { roleArn: "arn:aws:iam::111111111111:role/hop", externalId: "x-1", sessionName: "s1", durationSeconds: 1800 },
          { roleArn: "arn:aws:iam::222222222222:role/admin", durationSeconds: 5400 },
        ],
        allowedAccountIds: ["222222222222"],
        forbiddenAccountIds: ["999999999999"],
        endpoint: "http://iam.local",
      });
      assert.deepEqual(awsStackConnection(stackConfig({ assumeRole: { roleArn: "arn:aws:iam::111111111111:role/one" } })).assumeRoles, [
        { roleArn: "arn:aws:iam::111111111111:role/one" },
      ]);
      assert.throws(() => awsStackConnection(stackConfig({ allowedAccountIds: ["12345"] })), /12-digit/);
    });

    it("the resource's own settings win; a record from an older version yields to the stack's current config", () => {
      const stack = stackConfig({
        region: "eu-west-1",
        profile: "deploy-new",
        assumeRole: { roleArn: "arn:aws:iam::111111111111:role/new" },
      });
      const own = resolveConnection({ profile: "explicit", roleArn: "arn:aws:iam::222222222222:role/explicit" }, stack);
      assert.deepEqual(
        [own.region, own.profile, own.assumeRoles],
        ["eu-west-1", "explicit", [{ roleArn: "arn:aws:iam::222222222222:role/explicit" }]],
      );
      const legacy = resolveConnection(
        { region: "us-west-2", profile: "deploy-old", roleArn: "arn:aws:iam::111111111111:role/old" },
        stack,
        true,
      );
      assert.deepEqual(
        [legacy.region, legacy.profile, legacy.assumeRoles],
        ["eu-west-1", "deploy-new", [{ roleArn: "arn:aws:iam::111111111111:role/new" }]],
      );
      // What the stack no longer sets, the legacy record still supplies.
      assert.equal(resolveConnection({ profile: "deploy-old" }, stackConfig({}), true).profile, "deploy-old");
    });
  });

  describe("the IAM client", () => {
    it("takes the region from the profile when none is given, and from AWS_REGION before the profile", async () => {
      emulator.seed({ users: [{ userName: "ana" }] });
      env({ ...awsFiles({ gov: { key: "AKIDGOVPROFILE000001", region: "us-gov-west-1" } }), AWS_REGION: undefined });
      await getUser({ profile: "gov" });
      assert.equal(emulator.log.at(-1)!.signingRegion, "us-gov-west-1");
      assert.equal(emulator.log.at(-1)!.accessKeyId, "AKIDGOVPROFILE000001");
      resetIamClients();
      env({ AWS_REGION: "cn-north-1" });
      await getUser({ profile: "gov" });
      assert.equal(emulator.log.at(-1)!.signingRegion, "cn-north-1");
    });

    it("falls back to IAM's home region when nothing in the chain sets one, and an explicit region wins", async () => {
      emulator.seed({ users: [{ userName: "ana" }] });
      env({ ...awsFiles({}), AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });
      await getUser({});
      assert.equal(emulator.log.at(-1)!.signingRegion, "us-east-1");
      await getUser({ region: "eu-central-1" });
      assert.equal(emulator.log.at(-1)!.signingRegion, "eu-central-1");
    });

    it("resolves the partition's own endpoint from the region (GovCloud, China)", async () => {
      env({ AWS_ENDPOINT_URL_IAM: undefined, AWS_ENDPOINT_URL_STS: undefined });
      const endpointOf = async (region: string) => {
        const client = iamClientFor({ region });
        const resolved = await client.config.endpointProvider({ Region: region, UseFIPS: false, UseDualStack: false });
        return resolved.url.hostname;
      };
      assert.equal(await endpointOf("us-gov-west-1"), "iam.us-gov.amazonaws.com");
      assert.equal(await endpointOf("cn-north-1"), "iam.cn-north-1.amazonaws.com.cn");
      assert.equal(await endpointOf("eu-west-1"), "iam.amazonaws.com");
    });

    it("takes attempts from AWS_MAX_ATTEMPTS or the profile's max_attempts when set, its own default otherwise", async () => {
      const failingEmulator = await startEmulator({ port: 0, serverErrorShare: 1 });
      try {
        const attempts = async (connection: Parameters<typeof iamClientFor>[0]) => {
          resetIamClients();
          failingEmulator.clearLog();
          await assert.rejects(iamClientFor(connection).send(new GetUserCommand({ UserName: "ana" })));
          return failingEmulator.log.length;
        };
        env({
          ...awsFiles({ patient: { key: "AKIDPATIENT000000001", maxAttempts: 3 } }),
          AWS_ENDPOINT_URL_IAM: failingEmulator.endpoint,
          AWS_MAX_ATTEMPTS: "2",
        });
        assert.equal(await attempts({}), 2, "AWS_MAX_ATTEMPTS");
        env({ AWS_ENDPOINT_URL_IAM: failingEmulator.endpoint, AWS_MAX_ATTEMPTS: undefined });
        assert.equal(await attempts({ profile: "patient" }), 3, "the profile's max_attempts");
        assert.equal(await attempts({}), 10, "the package's default");
      } finally {
        await failingEmulator.stop();
      }
    }).timeout(120_000);

    it("takes the retry mode from AWS_RETRY_MODE when set, standard otherwise", async () => {
      const retryModeOf = async (client: ReturnType<typeof iamClientFor>) => {
        const mode = client.config.retryMode;
        return typeof mode === "string" ? mode : mode();
      };
      env({ AWS_RETRY_MODE: undefined });
      assert.equal(await retryModeOf(iamClientFor({})), "standard");
      resetIamClients();
      env({ AWS_RETRY_MODE: "adaptive" });
      assert.equal(await retryModeOf(iamClientFor({})), "adaptive");
    });

    it("sends a user agent naming the package and its version, for CloudTrail", async () => {
      emulator.seed({ users: [{ userName: "ana" }] });
      env({});
      await getUser({});
      const version = (require("../../provider/package.json") as { version: string }).version;
      assert.deepEqual(USER_AGENT, ["iam-user-teardown", version]);
      assert.match(emulator.log.at(-1)!.userAgent ?? "", new RegExp(`iam-user-teardown/${version.replace(/\./g, "\\.")}`));
    });

    it("assumes every role of the chain in order, with external id, session name and duration", async () => {
      emulator.seed({ users: [{ userName: "ana" }] });
      env({ ...awsFiles({ base: { key: "AKIDBASEPROFILE00001" } }) });
      const stack = stackConfig({
        profile: "base",
        assumeRoles: [
          { roleArn: "arn:aws:iam::111111111111:role/hop", externalId: "ext-42", sessionName: "decommission", durationSeconds: 900 },
          { roleArn: "arn:aws:iam::123456789012:role/admin", sessionName: "second-hop" },
        ],
      });
      await iamClientFor(resolveConnection({}, stack)).send(new GetUserCommand({ UserName: "ana" }));
      const [first, second] = emulator.sts.sessions;
      assert.equal(emulator.sts.sessions.length, 2);
      assert.deepEqual(
        [first.roleArn, first.externalId, first.sessionName, first.durationSeconds, first.callerAccessKeyId],
        ["arn:aws:iam::111111111111:role/hop", "ext-42", "decommission", 900, "AKIDBASEPROFILE00001"],
      );
      assert.deepEqual(
        [second.roleArn, second.sessionName, second.callerAccessKeyId],
        ["arn:aws:iam::123456789012:role/admin", "second-hop", first.accessKeyId],
      );
      assert.equal(
        emulator.log.filter((e) => e.action === "GetUser").at(-1)!.accessKeyId,
        second.accessKeyId,
        "IAM is called with the last role's credentials",
      );
    });
  });

  describe("allowed and forbidden accounts", () => {
    const seeded = () => emulator.seed({ users: [everyKind("ana")] }).users.ana;

    it("refuses a teardown in an account outside aws:allowedAccountIds before any change, naming both accounts", async () => {
      const ana = seeded();
      env({});
      const before = emulator.snapshotUser("ana");
      const props = { userName: "ana", userId: ana.userId, arn: ana.arn, deleteUser: true, stateVersion: methods.STATE_VERSION };
      await assert.rejects(
        methods.remove("ana", props, stackConfig({ allowedAccountIds: ["111111111111"] }), () => undefined),
        (err: Error) => {
          assert.ok(err instanceof AccountNotAllowedError, String(err));
          assert.match(err.message, /123456789012/);
          assert.match(err.message, /111111111111/);
          return true;
        },
      );
      assert.deepEqual(
        emulator.log.filter((e) => e.mutating),
        [],
        "no call that changes anything was sent",
      );
      assert.deepEqual(emulator.snapshotUser("ana"), before);
      await assert.rejects(
        methods.remove("ana", props, stackConfig({ forbiddenAccountIds: [emulator.accountId] }), () => undefined),
        /forbidden/,
      );
      await methods.remove("ana", props, stackConfig({ allowedAccountIds: [emulator.accountId] }), () => undefined);
      assert.equal(emulator.snapshotUser("ana"), null, "the allowed account's user is gone");
    });

    it("judges the account the role chain reaches, not the base credentials'", async () => {
      seeded();
      env({});
      const stack = stackConfig({
        assumeRole: { roleArn: "arn:aws:iam::222222222222:role/elsewhere" },
        allowedAccountIds: [emulator.accountId],
      });
      const create = methods.create({ userName: "newcomer", deleteUser: true, adopt: false }, stack);
      await assert.rejects(create, /reach AWS account 222222222222, but only AWS account 123456789012 is allowed/);
      assert.equal(emulator.snapshotUser("newcomer"), null);
    });

    it("the CLI's --allowed-account-id refuses the same way, and is checked as usage", async () => {
      seeded();
      env({});
      const out: string[] = [];
      const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t) };
      assert.equal(await runCli(["delete", "ana", "--yes", "--allowed-account-id", "111111111111"], io), 1);
      assert.match(out.join(""), /123456789012.*111111111111/);
      assert.ok(emulator.snapshotUser("ana"), "untouched");
      assert.equal(await runCli(["delete", "ana", "--yes", "--allowed-account-id", "12"], io), 2);
    });
  });

  describe("what the resource records", () => {
    it("changing only the connection is an update of the record, with no call to IAM", async () => {
      env({});
      const { outs } = await methods.create({ userName: "ana", deleteUser: true, adopt: false, profile: undefined }, stackConfig({}));
      assert.equal(outs.stateVersion, methods.STATE_VERSION);
      emulator.clearLog();
      const { outs: updated } = await methods.update("ana", outs, {
        userName: "ana",
        deleteUser: true,
        adopt: false,
        profile: "elsewhere",
      });
      assert.deepEqual(emulator.log, [], "nothing sent to IAM");
      assert.equal(updated!.profile, "elsewhere");
      assert.equal(updated!.userId, outs.userId);
      const { outs: dropped } = await methods.update("ana", updated, { userName: "ana", deleteUser: true, adopt: false });
      assert.equal(dropped!.profile, undefined, "a setting removed from the program is removed from the record");
    });

    it("a record from an older version destroys with the stack's current profile, and a refresh drops what the stack sets", async () => {
      const ana = emulator.seed({ users: [everyKind("ana")] }).users.ana;
      env(awsFiles({ "deploy-new": { key: "AKIDDEPLOYNEW0000001" } }));
      // Written by a version that copied aws:profile and aws:region into the resource; deploy-old no longer exists.
      const legacy = {
        userName: "ana",
        userId: ana.userId,
        arn: ana.arn,
        deleteUser: true,
        adopt: true,
        profile: "deploy-old",
        region: "eu-west-1",
      };
      const stack = stackConfig({ profile: "deploy-new" });
      const refreshed = await methods.read("ana", legacy, stack);
      assert.equal(refreshed.props!.profile, undefined, "the stack sets aws:profile: the recorded one was the stack's");
      assert.equal(refreshed.props!.region, "eu-west-1", "the stack does not set aws:region: the recorded one is kept");
      assert.equal(refreshed.props!.stateVersion, methods.STATE_VERSION);
      emulator.clearLog();
      await methods.remove("ana", legacy, stack, () => undefined);
      assert.equal(emulator.snapshotUser("ana"), null);
      assert.deepEqual([...new Set(emulator.log.map((e) => e.accessKeyId))], ["AKIDDEPLOYNEW0000001"]);
    });
  });

  it("accepts ARNs of every partition and refuses made-up ones", () => {
    const reasons = (inputs: Record<string, unknown>) => validateInputs({ userName: "ana", ...inputs }).map((f) => f.property);
    for (const partition of ["aws", "aws-us-gov", "aws-cn"]) {
      assert.deepEqual(
        reasons({
          permissionsBoundary: `arn:${partition}:iam::aws:policy/PowerUserAccess`,
          roleArn: `arn:${partition}:iam::123456789012:role/ops`,
        }),
        [],
      );
    }
    assert.deepEqual(reasons({ permissionsBoundary: "arn:awsx:iam::aws:policy/P", roleArn: "arn:aws-mars:iam::123456789012:role/ops" }), [
      "permissionsBoundary",
      "roleArn",
    ]);
  });
});
