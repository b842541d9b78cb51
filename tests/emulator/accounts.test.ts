import { strict as assert } from "node:assert";
import { CreateUserCommand, GetUserCommand, IAMClient, ListUsersCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ManualClock } from "../helpers/manual-clock";
import { type Emulator, startEmulator } from "../iam-emulator";

const HOME = "123456789012";
const SALES = "222222222222";
const LEGAL = "333333333333";
const role = (account: string, name = "Decommission") => `arn:aws:iam::${account}:role/${name}`;
const BASE = { accessKeyId: "AKIDORGANIZATION0001", secretAccessKey: "x" };

/** Several accounts behind one endpoint: sessions act in their role's account, expire, and are refused when not allowed. */
describe("emulator: several accounts", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  const clients: Array<{ destroy(): void }> = [];
  const sts = (credentials = BASE) => {
    const client = new STSClient({ endpoint: emulator.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  const iam = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => {
    const client = new IAMClient({ endpoint: emulator.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  const assume = async (roleArn: string, externalId?: string) => {
    const { Credentials } = await sts().send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "teardown", ExternalId: externalId }),
    );
    return {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
      expiration: Credentials!.Expiration!,
    };
  };

  beforeEach(async () => {
    clock = new ManualClock();
    emulator = await startEmulator({
      accounts: [SALES, LEGAL],
      roles: [{ roleArn: role(SALES) }, { roleArn: role(LEGAL), externalId: "legal-ext" }],
      sessionDurationSeconds: 10,
      throttle: { ratePerSecond: 1, burst: 1, actions: ["ListUsers"] },
      clock: () => clock.now(),
    });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await emulator.stop();
  });

  it("a session acts in its role's account: its own users, its own id in ARNs, its own identity", async () => {
    emulator.account(SALES).createUser("sales-ana");
    emulator.state.createUser("home-ana");
    const credentials = await assume(role(SALES));
    const sales = iam(credentials);
    const created = (await sales.send(new CreateUserCommand({ UserName: "sales-new" }))).User!;
    assert.equal(created.Arn, `arn:aws:iam::${SALES}:user/sales-new`);
    assert.equal((await sales.send(new GetUserCommand({ UserName: "sales-ana" }))).User!.Arn, `arn:aws:iam::${SALES}:user/sales-ana`);
    await assert.rejects(sales.send(new GetUserCommand({ UserName: "home-ana" })), { name: "NoSuchEntityException" });
    assert.equal(emulator.state.userExists("sales-new"), false, "nothing of it reaches the home account");
    assert.equal(emulator.account(LEGAL).userExists("sales-new"), false, "nor another member account");
    const identity = await sts(credentials).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Account, SALES);
    assert.equal(identity.Arn, `arn:aws:sts::${SALES}:assumed-role/Decommission/teardown`);
    assert.deepEqual(
      emulator.log.filter((e) => e.action === "CreateUser").map((e) => e.accountId),
      [SALES],
    );
    assert.deepEqual(emulator.accountIds, [HOME, SALES, LEGAL]);
  });

  it("each account has its own throttle buckets", async () => {
    const sales = iam(await assume(role(SALES)));
    const legal = iam(await assume(role(LEGAL), "legal-ext"));
    const home = iam(BASE);
    // One token each: the first ListUsers of every account goes through, a second one in the same instant does not.
    await home.send(new ListUsersCommand({}));
    await sales.send(new ListUsersCommand({}));
    await legal.send(new ListUsersCommand({}));
    await assert.rejects(sales.send(new ListUsersCommand({})), { name: "Throttling" });
    await assert.rejects(home.send(new ListUsersCommand({})), { name: "Throttling" });
    clock.advance(1000);
    await sales.send(new ListUsersCommand({}));
  });

  it("refuses a role it does not allow: undeclared, a wrong or missing external id, an account it does not serve", async () => {
    const refusals = [
      [role(SALES, "Other"), undefined],
      [role(LEGAL), undefined],
      [role(LEGAL), "wrong"],
      [role("444444444444"), undefined],
    ] as const;
    for (const [roleArn, externalId] of refusals) {
      await assert.rejects(assume(roleArn, externalId), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(err.name, "AccessDenied", roleArn);
        assert.equal(err.$metadata?.httpStatusCode, 403);
        assert.match(err.message, new RegExp(`is not authorized to perform: sts:AssumeRole on resource: ${roleArn}$`));
        return true;
      });
    }
    assert.equal(emulator.sts.sessions.length, 0);
  });

  it("a session expires after its duration on the emulator's clock: then ExpiredToken, for IAM and for STS", async () => {
    const credentials = await assume(role(SALES));
    assert.equal(credentials.expiration.getTime(), clock.now() + 10_000, "Expiration says when, on the emulator's clock");
    const sales = iam(credentials);
    clock.advance(9_999);
    await sales.send(new ListUsersCommand({}));
    clock.advance(1);
    const expired = (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.name, "ExpiredToken");
      assert.equal(err.message, "The security token included in the request is expired");
      assert.equal(err.$metadata?.httpStatusCode, 403);
      return true;
    };
    await assert.rejects(sales.send(new GetUserCommand({ UserName: "anyone" })), expired);
    await assert.rejects(
      sts(credentials).send(new AssumeRoleCommand({ RoleArn: role(LEGAL), RoleSessionName: "hop", ExternalId: "legal-ext" })),
      expired,
    );
    const last = emulator.log.at(-2)!;
    assert.equal(last.errorCode, "ExpiredToken");
    assert.equal(last.fault, undefined, "no injected fault: the credentials were refused");
    // A fresh session works again.
    await iam(await assume(role(SALES)))
      .send(new GetUserCommand({ UserName: "anyone" }))
      .catch((err: Error) => assert.equal(err.name, "NoSuchEntityException"));
  });

  it("with one account, as before: any role can be assumed and acts in it", async () => {
    const single = await startEmulator({});
    try {
      const client = new STSClient({ endpoint: single.endpoint, region: "us-east-1", credentials: BASE, maxAttempts: 1 });
      clients.push(client);
      const { Credentials } = await client.send(new AssumeRoleCommand({ RoleArn: role("111111111111"), RoleSessionName: "any" }));
      const inHome = new IAMClient({
        endpoint: single.endpoint,
        region: "us-east-1",
        credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: "x", sessionToken: "y" },
      });
      clients.push(inHome);
      await inHome.send(new CreateUserCommand({ UserName: "home-user" }));
      assert.equal(single.state.userExists("home-user"), true);
      assert.deepEqual(single.accountIds, [HOME]);
    } finally {
      await single.stop();
    }
  });
});
