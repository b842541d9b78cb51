// Activity data through the real SDK against moto and the emulator: GetAccessKeyLastUsed (which moto serves, and
// which both set from a request signed with the key) and the service last-accessed job (which moto does not serve).

import { strict as assert } from "node:assert";
import * as I from "@aws-sdk/client-iam";
import { freshTargets, reportDifferences, runScenario, type Step, useConformance } from "./harness";

const out = <T>(o: Record<string, unknown>) => o as T;

describe("conformance (moto vs emulator): activity", function () {
  this.timeout(60_000);
  const servers = useConformance();
  reportDifferences();

  it("GetAccessKeyLastUsed of a key never used, of an unknown key; the service last-accessed job", async () => {
    const steps: Step[] = [
      { label: "CreateUser", call: () => new I.CreateUserCommand({ UserName: "idle" }), expect: { fields: ["User.Arn"] } },
      {
        label: "CreateAccessKey",
        call: () => new I.CreateAccessKeyCommand({ UserName: "idle" }),
        expect: { fields: ["AccessKey.AccessKeyId"] },
        save: (o, t) => (t.vars.key = out<I.CreateAccessKeyResponse>(o).AccessKey!.AccessKeyId!),
      },
      {
        label: "GetAccessKeyLastUsed never used",
        call: (t) => new I.GetAccessKeyLastUsedCommand({ AccessKeyId: t.vars.key }),
        expect: {
          fields: ["UserName", "AccessKeyLastUsed.ServiceName", "AccessKeyLastUsed.Region"],
          absent: ["AccessKeyLastUsed.LastUsedDate"],
          check: (o) => {
            const u = out<I.GetAccessKeyLastUsedResponse>(o).AccessKeyLastUsed!;
            return u.ServiceName === "N/A" && u.Region === "N/A" ? undefined : `${u.ServiceName} ${u.Region}`;
          },
        },
      },
      {
        label: "GetAccessKeyLastUsed unknown key",
        call: () => new I.GetAccessKeyLastUsedCommand({ AccessKeyId: "AKIAAAAAAAAAAAAAAAAA" }),
        expect: { error: "NoSuchEntity", status: 404, awsMessage: "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found." },
      },
      {
        label: "GenerateServiceLastAccessedDetails",
        call: (t) => new I.GenerateServiceLastAccessedDetailsCommand({ Arn: `arn:aws:iam::${t.accountId}:user/idle` }),
        expect: { fields: ["JobId"] },
        save: (o, t) => (t.vars.job = out<I.GenerateServiceLastAccessedDetailsResponse>(o).JobId!),
        differs: "service-last-accessed-not-implemented",
      },
      {
        label: "GetServiceLastAccessedDetails in progress",
        call: (t) => new I.GetServiceLastAccessedDetailsCommand({ JobId: t.vars.job }),
        expect: {
          fields: ["JobStatus", "JobCreationDate", "ServicesLastAccessed"],
          check: (o) => (out<I.GetServiceLastAccessedDetailsResponse>(o).JobStatus === "IN_PROGRESS" ? undefined : "not IN_PROGRESS"),
        },
        differs: "service-last-accessed-not-implemented",
      },
      {
        label: "GetServiceLastAccessedDetails completed",
        call: (t) => new I.GetServiceLastAccessedDetailsCommand({ JobId: t.vars.job }),
        expect: {
          fields: ["JobStatus", "JobCompletionDate"],
          check: (o) => (out<I.GetServiceLastAccessedDetailsResponse>(o).JobStatus === "COMPLETED" ? undefined : "not COMPLETED"),
        },
        differs: "service-last-accessed-not-implemented",
      },
    ];
    await runScenario(servers, steps);
  });

  it("a request signed with the user's own key is that key's last use, on both", async () => {
    const env = await freshTargets(servers);
    try {
      for (const t of env.targets) {
        await t.iam.send(new I.CreateUserCommand({ UserName: "busy" }));
        const key = (await t.iam.send(new I.CreateAccessKeyCommand({ UserName: "busy" }))).AccessKey!;
        const asUser = new I.IAMClient({
          endpoint: t.endpoint,
          region: "us-east-1",
          credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
          maxAttempts: 1,
        });
        const before = Date.now() - 1000;
        await asUser.send(new I.GetUserCommand({}));
        asUser.destroy();
        const used = (await t.iam.send(new I.GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }))).AccessKeyLastUsed!;
        assert.equal(used.ServiceName, "iam", t.name);
        assert.equal(used.Region, "us-east-1", t.name);
        assert.ok(used.LastUsedDate && used.LastUsedDate.getTime() >= before, `${t.name}: ${used.LastUsedDate}`);
      }
    } finally {
      await env.close();
    }
  });
});
