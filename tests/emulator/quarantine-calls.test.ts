import { strict as assert } from "node:assert";
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateServiceSpecificCredentialCommand,
  CreateUserCommand,
  GetAccountSummaryCommand,
  GetPolicyCommand,
  GetUserCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  PutUserPolicyCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
  UpdateServiceSpecificCredentialCommand,
  UpdateSigningCertificateCommand,
  UpdateSSHPublicKeyCommand,
  UploadSigningCertificateCommand,
  UploadSSHPublicKeyCommand,
} from "@aws-sdk/client-iam";
import { sdkClientFor, useEmulator } from "../helpers/iam";
import { CERT, expectIamError, SSH_KEY } from "./support";

/** What a reversible quarantine needs of IAM: status updates, the policy quotas, AWSDenyAll, and a user's own deny. */
describe("emulator: what a quarantine calls", () => {
  const env = useEmulator({}, "sdk");
  before(async () => {
    for (const u of ["ssh", "certs", "svc", "inline", "managed", "caller"]) await env.client.send(new CreateUserCommand({ UserName: u }));
  });

  it("UpdateSSHPublicKey sets Active or Inactive; an unknown id is NoSuchEntity, another status a ValidationError", async () => {
    const key = (await env.client.send(new UploadSSHPublicKeyCommand({ UserName: "ssh", SSHPublicKeyBody: SSH_KEY(1) }))).SSHPublicKey!;
    await env.client.send(new UpdateSSHPublicKeyCommand({ UserName: "ssh", SSHPublicKeyId: key.SSHPublicKeyId, Status: "Inactive" }));
    assert.equal((await env.client.send(new ListSSHPublicKeysCommand({ UserName: "ssh" }))).SSHPublicKeys![0].Status, "Inactive");
    await expectIamError(
      env.client.send(new UpdateSSHPublicKeyCommand({ UserName: "ssh", SSHPublicKeyId: "APKAEXAMPLEEXAMPLE00", Status: "Active" })),
      "NoSuchEntity",
      404,
    );
    await expectIamError(
      env.client.send(new UpdateSSHPublicKeyCommand({ UserName: "ssh", SSHPublicKeyId: key.SSHPublicKeyId, Status: "Expired" as never })),
      "ValidationError",
      400,
    );
  });

  it("UpdateSigningCertificate and UpdateServiceSpecificCredential the same; a credential past its date reads Expired", async () => {
    const cert = (await env.client.send(new UploadSigningCertificateCommand({ UserName: "certs", CertificateBody: CERT(1) }))).Certificate!;
    await env.client.send(
      new UpdateSigningCertificateCommand({ UserName: "certs", CertificateId: cert.CertificateId, Status: "Inactive" }),
    );
    assert.equal((await env.client.send(new ListSigningCertificatesCommand({ UserName: "certs" }))).Certificates![0].Status, "Inactive");
    await expectIamError(
      env.client.send(new UpdateSigningCertificateCommand({ UserName: "certs", CertificateId: "0".repeat(32), Status: "Active" })),
      "NoSuchEntity",
      404,
    );
    const cred = (
      await env.client.send(new CreateServiceSpecificCredentialCommand({ UserName: "svc", ServiceName: "codecommit.amazonaws.com" }))
    ).ServiceSpecificCredential!;
    await env.client.send(
      new UpdateServiceSpecificCredentialCommand({
        UserName: "svc",
        ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId,
        Status: "Inactive",
      }),
    );
    assert.equal(
      (await env.client.send(new ListServiceSpecificCredentialsCommand({ UserName: "svc" }))).ServiceSpecificCredentials![0].Status,
      "Inactive",
    );
    await expectIamError(
      env.client.send(
        new UpdateServiceSpecificCredentialCommand({
          UserName: "svc",
          ServiceSpecificCredentialId: "ACCANOSUCHCREDENTIAL0",
          Status: "Active",
        }),
      ),
      "NoSuchEntity",
      404,
    );
    await expectIamError(
      env.client.send(
        new UpdateServiceSpecificCredentialCommand({
          UserName: "svc",
          ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId,
          Status: "On" as never,
        }),
      ),
      "ValidationError",
      400,
    );
    env.emulator.state.setServiceCredentialExpiration("svc", cred.ServiceSpecificCredentialId!, new Date(Date.now() - 1000));
    assert.equal(
      (await env.client.send(new ListServiceSpecificCredentialsCommand({ UserName: "svc" }))).ServiceSpecificCredentials![0].Status,
      "Expired",
    );
  });

  it("a user's inline policies share 2,048 characters, whitespace not counted (LimitExceeded 409)", async () => {
    const filler = (n: number) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "iam:Get*", Resource: `arn:aws:iam::123456789012:user/${"x".repeat(n)}` }],
      });
    const base = filler(0).length;
    // Exactly 2,048 characters, and spaces around them that do not count.
    await env.client.send(new PutUserPolicyCommand({ UserName: "inline", PolicyName: "a", PolicyDocument: `  ${filler(1000 - base)}  ` }));
    await env.client.send(new PutUserPolicyCommand({ UserName: "inline", PolicyName: "b", PolicyDocument: filler(1048 - base) }));
    const deny = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] });
    await expectIamError(
      env.client.send(new PutUserPolicyCommand({ UserName: "inline", PolicyName: "c", PolicyDocument: deny })),
      "LimitExceeded",
      409,
    );
  });

  it("10 managed policies a user by default (LimitExceeded 409); AWSDenyAll is an AWS managed policy that denies everything", async () => {
    const arns = [
      "ReadOnlyAccess",
      "IAMReadOnlyAccess",
      "SecurityAudit",
      "AmazonS3ReadOnlyAccess",
      "AmazonEC2ReadOnlyAccess",
      "CloudWatchReadOnlyAccess",
      "AWSSupportAccess",
      "IAMUserSSHKeys",
      "AmazonDynamoDBReadOnlyAccess",
      "AWSCodeCommitReadOnly",
    ].map((n) => `arn:aws:iam::aws:policy/${n}`);
    for (const PolicyArn of arns) await env.client.send(new AttachUserPolicyCommand({ UserName: "managed", PolicyArn }));
    await expectIamError(
      env.client.send(new AttachUserPolicyCommand({ UserName: "managed", PolicyArn: "arn:aws:iam::aws:policy/AWSDenyAll" })),
      "LimitExceeded",
      409,
      /PoliciesPerUser: 10/,
    );
    const summary = (await env.client.send(new GetAccountSummaryCommand({}))).SummaryMap!;
    assert.equal(summary.AttachedPoliciesPerUserQuota, 10);
    assert.equal(summary.UserPolicySizeQuota, 2048);
    const denyAll = (await env.client.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/AWSDenyAll" }))).Policy!;
    assert.equal(denyAll.PolicyName, "AWSDenyAll");
  });

  it("tags: 50 a user, keys up to 128 characters, values up to 256", async () => {
    const tags = (n: number, key = (i: number) => `k${i}`) => Array.from({ length: n }, (_, i) => ({ Key: key(i), Value: "v" }));
    await env.client.send(new TagUserCommand({ UserName: "managed", Tags: tags(50) }));
    await expectIamError(
      env.client.send(new TagUserCommand({ UserName: "managed", Tags: [{ Key: "one-more", Value: "v" }] })),
      "LimitExceeded",
      409,
    );
    await expectIamError(
      env.client.send(new TagUserCommand({ UserName: "inline", Tags: [{ Key: "k".repeat(129), Value: "v" }] })),
      "ValidationError",
      400,
    );
    await expectIamError(
      env.client.send(new TagUserCommand({ UserName: "inline", Tags: [{ Key: "k", Value: "v".repeat(257) }] })),
      "ValidationError",
      400,
    );
  });

  it("a request signed with a user's own key: an explicit Deny of the user's refuses it, an Inactive key authenticates nothing", async () => {
    const key = (await env.client.send(new CreateAccessKeyCommand({ UserName: "caller" }))).AccessKey!;
    const asCaller = sdkClientFor(env.emulator.endpoint, { accessKeyId: key.AccessKeyId });
    try {
      assert.equal((await asCaller.send(new GetUserCommand({}))).User!.UserName, "caller");
      await env.client.send(new AttachUserPolicyCommand({ UserName: "caller", PolicyArn: "arn:aws:iam::aws:policy/AWSDenyAll" }));
      await expectIamError(asCaller.send(new GetUserCommand({})), "AccessDenied", 403, /with an explicit deny in an identity-based policy/);
      await env.client.send(new UpdateAccessKeyCommand({ UserName: "caller", AccessKeyId: key.AccessKeyId, Status: "Inactive" }));
      await expectIamError(asCaller.send(new GetUserCommand({})), "InvalidClientTokenId", 403);
    } finally {
      asCaller.destroy();
    }
  });
});
