import { strict as assert } from "node:assert";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetAccessKeyLastUsedCommand,
  GetServiceLastAccessedDetailsCommand,
  GetUserCommand,
  ListUsersCommand,
  UpdateUserCommand,
} from "@aws-sdk/client-iam";
import { sdkClientFor, useEmulator } from "../helpers/iam";
import { expectIamError } from "./support";

const DAY = 86_400_000;

describe("emulator: activity (password, access key and per-service last use)", () => {
  let now = Date.parse("2026-03-01T12:00:00Z");
  const env = useEmulator({ clock: () => now }, "sdk");

  it("a key never used answers no LastUsedDate and N/A for service and region", async () => {
    await env.client.send(new CreateUserCommand({ UserName: "fresh" }));
    const key = (await env.client.send(new CreateAccessKeyCommand({ UserName: "fresh" }))).AccessKey!;
    const out = await env.client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }));
    assert.equal(out.UserName, "fresh");
    assert.deepEqual(out.AccessKeyLastUsed, { ServiceName: "N/A", Region: "N/A" });
  });

  it("a request signed with the user's own key is its last use (service and region), and the user's access to IAM", async () => {
    const key = (await env.client.send(new CreateAccessKeyCommand({ UserName: "fresh" }))).AccessKey!;
    const asUser = sdkClientFor(env.emulator.endpoint, { accessKeyId: key.AccessKeyId });
    now += 1000;
    await asUser.send(new GetUserCommand({}));
    asUser.destroy();
    const out = await env.client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }));
    assert.deepEqual(out.AccessKeyLastUsed, { LastUsedDate: new Date(now), ServiceName: "iam", Region: "us-east-1" });
    const arn = env.emulator.state.getUser("fresh")!.arn;
    const { JobId } = await env.client.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn }));
    await env.client.send(new GetServiceLastAccessedDetailsCommand({ JobId }));
    const done = await env.client.send(new GetServiceLastAccessedDetailsCommand({ JobId }));
    assert.equal(done.JobStatus, "COMPLETED");
    assert.deepEqual(
      done.ServicesLastAccessed?.map((s) => [s.ServiceNamespace, s.LastAuthenticated?.getTime(), s.LastAuthenticatedEntity]),
      [["iam", now, arn]],
    );
  });

  it("seeded dates: PasswordLastUsed in GetUser and ListUsers, per-key use, and per-service access", async () => {
    const seeded = env.emulator.seed({
      users: [
        {
          userName: "old",
          createDate: new Date(now - 400 * DAY),
          loginProfile: true,
          passwordLastUsed: new Date(now - 100 * DAY),
          accessKeys: 2,
          accessKeysLastUsed: [{ date: new Date(now - 120 * DAY), service: "s3", region: "eu-west-1" }, null],
          serviceLastAccessed: [{ namespace: "codecommit", date: new Date(now - 2 * DAY), region: "us-east-2" }],
        },
      ],
    });
    const user = (await env.client.send(new GetUserCommand({ UserName: "old" }))).User!;
    assert.equal(user.CreateDate?.getTime(), now - 400 * DAY);
    assert.equal(user.PasswordLastUsed?.getTime(), now - 100 * DAY);
    const listed = (await env.client.send(new ListUsersCommand({}))).Users!.find((u) => u.UserName === "old")!;
    assert.equal(listed.PasswordLastUsed?.getTime(), now - 100 * DAY);
    assert.equal((await env.client.send(new GetUserCommand({ UserName: "fresh" }))).User!.PasswordLastUsed, undefined);
    const [used, unused] = seeded.users.old!.accessKeyIds;
    const k1 = await env.client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: used }));
    assert.deepEqual(k1.AccessKeyLastUsed, { LastUsedDate: new Date(now - 120 * DAY), ServiceName: "s3", Region: "eu-west-1" });
    const k2 = await env.client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: unused }));
    assert.deepEqual(k2.AccessKeyLastUsed, { ServiceName: "N/A", Region: "N/A" });

    // The job is in progress first, then completed; a rename keeps the data (it is the user's, by UserId).
    await env.client.send(new UpdateUserCommand({ UserName: "old", NewUserName: "old-renamed" }));
    const arn = env.emulator.state.getUser("old-renamed")!.arn;
    const { JobId } = await env.client.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn, Granularity: "SERVICE_LEVEL" }));
    assert.match(JobId!, /^[0-9a-f-]{36}$/);
    const first = await env.client.send(new GetServiceLastAccessedDetailsCommand({ JobId }));
    assert.equal(first.JobStatus, "IN_PROGRESS");
    assert.equal(first.JobCompletionDate, undefined);
    const second = await env.client.send(new GetServiceLastAccessedDetailsCommand({ JobId }));
    assert.equal(second.JobStatus, "COMPLETED");
    assert.equal(second.JobType, "SERVICE_LEVEL");
    assert.ok(second.JobCompletionDate instanceof Date);
    assert.deepEqual(
      second.ServicesLastAccessed?.map((s) => ({ ...s })),
      [
        {
          ServiceName: "AWS CodeCommit",
          ServiceNamespace: "codecommit",
          LastAuthenticated: new Date(now - 2 * DAY),
          LastAuthenticatedEntity: arn,
          LastAuthenticatedRegion: "us-east-2",
          TotalAuthenticatedEntities: 1,
        },
        {
          ServiceName: "Amazon S3",
          ServiceNamespace: "s3",
          LastAuthenticated: new Date(now - 120 * DAY),
          LastAuthenticatedEntity: arn,
          LastAuthenticatedRegion: "eu-west-1",
          TotalAuthenticatedEntities: 1,
        },
      ],
    );
  });

  it("refuses what AWS refuses: an ARN that is not a user of the account, an unknown job, a bad granularity", async () => {
    await expectIamError(
      env.client.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: "arn:aws:iam::123456789012:user/nobody" })),
      "NoSuchEntity",
      404,
    );
    await expectIamError(env.client.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: "not-an-arn" })), "InvalidInput", 400);
    await expectIamError(
      env.client.send(new GetServiceLastAccessedDetailsCommand({ JobId: "00000000-0000-0000-0000-000000000000" })),
      "NoSuchEntity",
      404,
    );
    const arn = env.emulator.state.getUser("fresh")!.arn;
    await expectIamError(
      env.client.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn, Granularity: "WRONG" as never })),
      "ValidationError",
      400,
    );
  });
});
