import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { DeleteAccessKeyCommand, GetUserCommand } from "@aws-sdk/client-iam";
import { AccountUnconfirmedError, confirmAllowedAccount } from "../../provider/aws/account-guard";
import { iamClientFor, resetIamClients } from "../../provider/aws/client";
import { type Emulator, startEmulator } from "../iam-emulator";

/** The account guard when STS cannot be reached: every change refused, reads let through, the cause named. */
describe("account guard, STS unreachable", () => {
  let emulator: Emulator;
  const saved = { iam: process.env.AWS_ENDPOINT_URL_IAM, sts: process.env.AWS_ENDPOINT_URL_STS, attempts: process.env.AWS_MAX_ATTEMPTS };
  const restore = (name: string, value: string | undefined) =>
    value === undefined ? delete process.env[name] : (process.env[name] = value);
  let closedPort: number;

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    // A loopback port nothing listens on.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    process.env.AWS_ENDPOINT_URL_IAM = emulator.endpoint;
    process.env.AWS_ENDPOINT_URL_STS = `http://127.0.0.1:${closedPort}`;
    process.env.AWS_MAX_ATTEMPTS = "1";
    resetIamClients();
  });
  after(async () => {
    restore("AWS_ENDPOINT_URL_IAM", saved.iam);
    restore("AWS_ENDPOINT_URL_STS", saved.sts);
    restore("AWS_MAX_ATTEMPTS", saved.attempts);
    resetIamClients();
    await emulator.stop();
  });

  it("refuses a change with the check, its cause and 'nothing was changed'; a read goes through", async () => {
    const seeded = emulator.seed({ users: [{ userName: "guarded", accessKeys: 1 }] }).users.guarded;
    const [accessKeyId] = seeded.accessKeyIds;
    const client = iamClientFor({ allowedAccountIds: [emulator.accountId] });
    emulator.clearLog();
    await assert.rejects(client.send(new DeleteAccessKeyCommand({ UserName: "guarded", AccessKeyId: accessKeyId })), (err: Error) => {
      assert.ok(err instanceof AccountUnconfirmedError, String(err));
      assert.equal(
        err.message,
        `refusing DeleteAccessKey: could not confirm which AWS account the credentials reach (STS GetCallerIdentity: connect ECONNREFUSED 127.0.0.1:${closedPort}), which the account restriction needs; nothing was changed`,
      );
      return true;
    });
    await assert.rejects(confirmAllowedAccount(client, "to change anything"), /^AccountUnconfirmedError: refusing to change anything: /);
    assert.equal((await client.send(new GetUserCommand({ UserName: "guarded" }))).User?.UserId, seeded.userId);
    assert.deepEqual(
      emulator.log.map((e) => e.action),
      ["GetUser"],
      "only the read reached IAM",
    );
  });

  it("a client without a restriction is not checked", async () => {
    await confirmAllowedAccount(iamClientFor({}), "to change anything");
  });
});
