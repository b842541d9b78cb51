// What a reversible quarantine calls (docs/decommission.md), through the real SDK, against moto and the emulator:
// the four status updates with their errors, the quotas a deny-all policy meets, AWSDenyAll, GetAccountSummary.

import * as I from "@aws-sdk/client-iam";
import { CERT, SSH_KEY } from "../emulator/support";
import { reportDifferences, runScenario, type Step, useConformance } from "./harness";

const err = (error: string, status: number) => ({ error, status });
const out = <T>(o: Record<string, unknown>) => o as T;
const doc = (n: number) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${"q".repeat(n)}/*` }],
  });
const DENY_ALL = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] });
const TEN = ["ReadOnlyAccess", "IAMReadOnlyAccess", "SecurityAudit", "AmazonS3ReadOnlyAccess", "AmazonEC2ReadOnlyAccess"]
  .concat(["CloudWatchReadOnlyAccess", "AWSSupportAccess", "IAMUserSSHKeys", "AmazonDynamoDBReadOnlyAccess", "AWSCodeCommitReadOnly"])
  .map((n) => `arn:aws:iam::aws:policy/${n}`);

describe("conformance (moto vs emulator): what a quarantine calls", function () {
  this.timeout(60_000);
  const servers = useConformance();
  reportDifferences();

  it("status updates: Active and Inactive; an unknown id is NoSuchEntity, another status a ValidationError", async () => {
    const steps: Step[] = [
      { label: "CreateUser", call: () => new I.CreateUserCommand({ UserName: "q" }), expect: { fields: ["User.UserId"] } },
      {
        label: "CreateAccessKey",
        call: () => new I.CreateAccessKeyCommand({ UserName: "q" }),
        expect: { fields: ["AccessKey.AccessKeyId"] },
        save: (o, t) => (t.vars.key = out<I.CreateAccessKeyResponse>(o).AccessKey!.AccessKeyId!),
      },
      {
        label: "UpdateAccessKey Inactive",
        call: (t) => new I.UpdateAccessKeyCommand({ UserName: "q", AccessKeyId: t.vars.key, Status: "Inactive" }),
        expect: {},
      },
      {
        label: "ListAccessKeys shows Inactive",
        call: () => new I.ListAccessKeysCommand({ UserName: "q" }),
        expect: {
          check: (o) => (out<I.ListAccessKeysResponse>(o).AccessKeyMetadata?.[0]?.Status === "Inactive" ? undefined : "not Inactive"),
        },
      },
      {
        label: "UpdateAccessKey unknown id",
        call: () => new I.UpdateAccessKeyCommand({ UserName: "q", AccessKeyId: "AKIAEXAMPLEEXAMPLE00", Status: "Active" }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "UploadSSHPublicKey",
        call: () => new I.UploadSSHPublicKeyCommand({ UserName: "q", SSHPublicKeyBody: SSH_KEY(3) }),
        expect: { fields: ["SSHPublicKey.SSHPublicKeyId"] },
        save: (o, t) => (t.vars.ssh = out<I.UploadSSHPublicKeyResponse>(o).SSHPublicKey!.SSHPublicKeyId!),
      },
      {
        label: "UpdateSSHPublicKey Inactive",
        call: (t) => new I.UpdateSSHPublicKeyCommand({ UserName: "q", SSHPublicKeyId: t.vars.ssh, Status: "Inactive" }),
        expect: {},
      },
      {
        label: "ListSSHPublicKeys shows Inactive",
        call: () => new I.ListSSHPublicKeysCommand({ UserName: "q" }),
        expect: {
          check: (o) => (out<I.ListSSHPublicKeysResponse>(o).SSHPublicKeys?.[0]?.Status === "Inactive" ? undefined : "not Inactive"),
        },
      },
      {
        label: "UpdateSSHPublicKey unknown id",
        call: () => new I.UpdateSSHPublicKeyCommand({ UserName: "q", SSHPublicKeyId: "APKAEXAMPLEEXAMPLE000", Status: "Active" }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "UploadSigningCertificate",
        call: () => new I.UploadSigningCertificateCommand({ UserName: "q", CertificateBody: CERT(2) }),
        expect: { fields: ["Certificate.CertificateId"] },
        save: (o, t) => (t.vars.cert = out<I.UploadSigningCertificateResponse>(o).Certificate!.CertificateId!),
      },
      {
        label: "UpdateSigningCertificate Inactive",
        call: (t) => new I.UpdateSigningCertificateCommand({ UserName: "q", CertificateId: t.vars.cert, Status: "Inactive" }),
        expect: {},
      },
      {
        label: "ListSigningCertificates shows Inactive",
        call: () => new I.ListSigningCertificatesCommand({ UserName: "q" }),
        expect: {
          check: (o) => (out<I.ListSigningCertificatesResponse>(o).Certificates?.[0]?.Status === "Inactive" ? undefined : "not Inactive"),
        },
      },
      {
        label: "UpdateSigningCertificate unknown id",
        call: () => new I.UpdateSigningCertificateCommand({ UserName: "q", CertificateId: "0".repeat(32), Status: "Active" }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "UpdateAccessKey another status",
        call: (t) => new I.UpdateAccessKeyCommand({ UserName: "q", AccessKeyId: t.vars.key, Status: "Expired" as never }),
        expect: err("ValidationError", 400),
        differs: "credential-status-unchecked",
      },
      {
        label: "UpdateServiceSpecificCredential unknown id",
        call: () =>
          new I.UpdateServiceSpecificCredentialCommand({
            UserName: "q",
            ServiceSpecificCredentialId: "ACCAEXAMPLEEXAMPLE000",
            Status: "Active",
          }),
        expect: err("NoSuchEntity", 404),
        differs: "not-implemented",
      },
    ];
    await runScenario(servers, steps);
  });

  it("the quotas a deny-all meets: 2,048 characters of inline policy, 10 managed policies; AWSDenyAll; GetAccountSummary", async () => {
    const steps: Step[] = [
      { label: "CreateUser", call: () => new I.CreateUserCommand({ UserName: "full" }), expect: { fields: ["User.UserId"] } },
      {
        label: "GetAccountSummary",
        call: () => new I.GetAccountSummaryCommand({}),
        expect: {
          fields: ["SummaryMap.AttachedPoliciesPerUserQuota", "SummaryMap.UserPolicySizeQuota"],
          check: (o) => {
            const m = out<I.GetAccountSummaryResponse>(o).SummaryMap!;
            return m.AttachedPoliciesPerUserQuota === 10 && m.UserPolicySizeQuota === 2048 ? undefined : JSON.stringify(m);
          },
        },
      },
      {
        label: "GetPolicy AWSDenyAll",
        call: () => new I.GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/AWSDenyAll" }),
        expect: { fields: ["Policy.PolicyName", "Policy.Arn"] },
      },
      {
        label: "PutUserPolicy 1,000 characters",
        call: () => new I.PutUserPolicyCommand({ UserName: "full", PolicyName: "a", PolicyDocument: doc(910) }),
        expect: {},
      },
      {
        label: "PutUserPolicy 2,000 characters",
        call: () => new I.PutUserPolicyCommand({ UserName: "full", PolicyName: "b", PolicyDocument: doc(910) }),
        expect: {},
      },
      {
        label: "PutUserPolicy past 2,048 characters",
        call: () => new I.PutUserPolicyCommand({ UserName: "full", PolicyName: "deny", PolicyDocument: DENY_ALL }),
        expect: err("LimitExceeded", 409),
        differs: "policy-quotas-unenforced",
      },
      ...TEN.map((PolicyArn) => ({
        label: `AttachUserPolicy ${PolicyArn.split("/").pop()}`,
        call: () => new I.AttachUserPolicyCommand({ UserName: "full", PolicyArn }),
        expect: {},
      })),
      {
        label: "AttachUserPolicy an 11th",
        call: () => new I.AttachUserPolicyCommand({ UserName: "full", PolicyArn: "arn:aws:iam::aws:policy/AWSDenyAll" }),
        expect: err("LimitExceeded", 409),
        differs: "policy-quotas-unenforced",
      },
    ];
    await runScenario(servers, steps);
  });
});
