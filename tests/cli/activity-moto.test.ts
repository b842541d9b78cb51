import { strict as assert } from "node:assert";
import { CreateAccessKeyCommand, CreateUserCommand, GetUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { resetIamClients } from "../../provider/aws/client";
import { EXIT, runCli } from "../../provider/cli";
import { pointIamEndpointAt } from "../helpers/iam";
import { acquireMoto, type MotoServer, motoUnavailableReason, releaseMoto } from "../helpers/moto";

/**
 * The --inactive-for guard over moto, which serves GetAccessKeyLastUsed (and records a request signed with the key)
 * but not the service last-accessed job, and cannot be seeded with old dates: a user whose key was just used is
 * refused, untouched, though part of its activity is unknown.
 */
describe("fleet CLI over moto: --inactive-for refuses a user whose key was just used", function () {
  this.timeout(60_000);
  let moto: MotoServer | undefined;
  let restoreEndpoint: () => void = () => undefined;
  const savedAttempts = process.env.AWS_MAX_ATTEMPTS;
  before(async function () {
    const reason = motoUnavailableReason();
    if (reason) {
      if (process.env.REQUIRE_MOTO === "1") throw new Error(`REQUIRE_MOTO=1 but ${reason}`);
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    moto = await acquireMoto();
    await moto.reset();
    restoreEndpoint = pointIamEndpointAt(moto.endpoint);
    // moto answers the job's two calls with HTTP 500, which the SDK retries: once is enough to see it.
    process.env.AWS_MAX_ATTEMPTS = "1";
    resetIamClients();
  });
  after(() => {
    if (savedAttempts === undefined) delete process.env.AWS_MAX_ATTEMPTS;
    else process.env.AWS_MAX_ATTEMPTS = savedAttempts;
    restoreEndpoint();
    resetIamClients();
    if (moto) releaseMoto();
  });

  it("exit 3, outcome skipped-active naming the key and its date; the user and its key stay", async () => {
    const admin = new IAMClient({
      endpoint: moto!.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    await admin.send(new CreateUserCommand({ UserName: "just-used" }));
    const key = (await admin.send(new CreateAccessKeyCommand({ UserName: "just-used" }))).AccessKey!;
    const asUser = new IAMClient({
      endpoint: moto!.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
    });
    await asUser.send(new GetUserCommand({}));
    asUser.destroy();
    let stdout = "";
    let stderr = "";
    const code = await runCli(["delete", "just-used", "--inactive-for", "30d", "--yes", "--json"], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    });
    assert.equal(code, EXIT.skipped, stderr);
    const line = JSON.parse(stdout.split("\n")[0]!) as { outcome: string; reason: string; activity: { unknown?: string[] } };
    assert.equal(line.outcome, "skipped-active");
    assert.match(line.reason, new RegExp(`^active less than an hour ago: access key ${key.AccessKeyId} \\(iam, us-east-1\\) on \\d{4}-`));
    // moto has no service last-accessed job: that part is unknown, and the key's use alone keeps the user.
    assert.equal(line.activity.unknown?.length, 1);
    const still = await admin.send(new GetUserCommand({ UserName: "just-used" }));
    assert.equal(still.User?.UserName, "just-used");
    admin.destroy();
  });
});
