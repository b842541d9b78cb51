import { strict as assert } from "node:assert";
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateServiceSpecificCredentialCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSigningCertificateCommand,
  DeleteSSHPublicKeyCommand,
  GetLoginProfileCommand,
  GetSSHPublicKeyCommand,
  ListAccessKeysCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  UpdateAccessKeyCommand,
  UpdateLoginProfileCommand,
  UploadSigningCertificateCommand,
  UploadSSHPublicKeyCommand,
} from "@aws-sdk/client-iam";
import { useEmulator } from "../helpers/iam";
import { makeSshPublicKeyBody } from "../iam-emulator/state";
import { CERT, expectIamError, SSH_KEY, sleep } from "./support";

describe("emulator: credentials", () => {
  const env = useEmulator({}, "sdk");
  before(async () => {
    for (const u of ["keys", "console", "ssh", "certs", "svc"]) await env.client.send(new CreateUserCommand({ UserName: u }));
  });

  describe("access keys", () => {
    it("creates at most two keys per user (LimitExceeded 409), with the secret only in CreateAccessKey", async () => {
      const k1 = (await env.client.send(new CreateAccessKeyCommand({ UserName: "keys" }))).AccessKey!;
      const k2 = (await env.client.send(new CreateAccessKeyCommand({ UserName: "keys" }))).AccessKey!;
      assert.match(k1.AccessKeyId!, /^AKIA[A-Z0-9]{16}$/);
      assert.equal(k1.SecretAccessKey!.length, 40);
      assert.equal(k1.Status, "Active");
      assert.notEqual(k1.AccessKeyId, k2.AccessKeyId);
      await expectIamError(
        env.client.send(new CreateAccessKeyCommand({ UserName: "keys" })),
        "LimitExceeded",
        409,
        "Cannot exceed quota for AccessKeysPerUser: 2",
      );
      const listed = await env.client.send(new ListAccessKeysCommand({ UserName: "keys" }));
      assert.deepEqual(
        listed.AccessKeyMetadata?.map((k) => k.AccessKeyId),
        [k1.AccessKeyId, k2.AccessKeyId],
      );
      assert.ok(listed.AccessKeyMetadata?.every((k) => !("SecretAccessKey" in k)));
    });

    it("updates status and deletes; an unknown key id is NoSuchEntity", async () => {
      const [k1, k2] = (await env.client.send(new ListAccessKeysCommand({ UserName: "keys" }))).AccessKeyMetadata!;
      await env.client.send(new UpdateAccessKeyCommand({ UserName: "keys", AccessKeyId: k1.AccessKeyId, Status: "Inactive" }));
      const listed = await env.client.send(new ListAccessKeysCommand({ UserName: "keys" }));
      assert.equal(listed.AccessKeyMetadata?.[0].Status, "Inactive");
      await env.client.send(new DeleteAccessKeyCommand({ UserName: "keys", AccessKeyId: k1.AccessKeyId }));
      await expectIamError(
        env.client.send(new DeleteAccessKeyCommand({ UserName: "keys", AccessKeyId: k1.AccessKeyId })),
        "NoSuchEntity",
        404,
        `The Access Key with id ${k1.AccessKeyId} cannot be found.`,
      );
      await expectIamError(
        env.client.send(new DeleteAccessKeyCommand({ UserName: "ssh", AccessKeyId: k2.AccessKeyId })),
        "NoSuchEntity",
        404,
      );
      assert.equal((await env.client.send(new ListAccessKeysCommand({ UserName: "keys" }))).AccessKeyMetadata?.length, 1);
    });
  });

  describe("login profile", () => {
    it("creates, reads, updates and deletes a console password", async () => {
      await expectIamError(
        env.client.send(new GetLoginProfileCommand({ UserName: "console" })),
        "NoSuchEntity",
        404,
        "Login Profile for User console cannot be found.",
      );
      const created = await env.client.send(
        new CreateLoginProfileCommand({ UserName: "console", Password: "Secret-123!", PasswordResetRequired: true }),
      );
      assert.equal(created.LoginProfile?.UserName, "console");
      assert.equal(created.LoginProfile?.PasswordResetRequired, true);
      await expectIamError(
        env.client.send(new CreateLoginProfileCommand({ UserName: "console", Password: "x" })),
        "EntityAlreadyExists",
        409,
      );
      await env.client.send(new UpdateLoginProfileCommand({ UserName: "console", PasswordResetRequired: false }));
      assert.equal((await env.client.send(new GetLoginProfileCommand({ UserName: "console" }))).LoginProfile?.PasswordResetRequired, false);
      await env.client.send(new DeleteLoginProfileCommand({ UserName: "console" }));
      await expectIamError(env.client.send(new DeleteLoginProfileCommand({ UserName: "console" })), "NoSuchEntity", 404);
    });

    it("answers EntityTemporarilyUnmodifiable (409) for loginProfileUnmodifiableMs after creation, then deletes", async () => {
      await env.fresh({ loginProfileUnmodifiableMs: 150 });
      await env.client.send(new CreateUserCommand({ UserName: "fresh" }));
      await env.client.send(new CreateLoginProfileCommand({ UserName: "fresh", Password: "Secret-123!" }));
      await expectIamError(
        env.client.send(new DeleteLoginProfileCommand({ UserName: "fresh" })),
        "EntityTemporarilyUnmodifiable",
        409,
        "Login Profile for User fresh cannot be modified while login profile is being created.",
      );
      await sleep(170);
      await env.client.send(new DeleteLoginProfileCommand({ UserName: "fresh" }));
      // Seeded profiles are old unless seeded as recent.
      env.emulator.seed({
        users: [
          { userName: "seeded-old", loginProfile: true },
          { userName: "seeded-recent", loginProfile: { recent: true } },
        ],
      });
      await env.client.send(new DeleteLoginProfileCommand({ UserName: "seeded-old" }));
      await expectIamError(
        env.client.send(new DeleteLoginProfileCommand({ UserName: "seeded-recent" })),
        "EntityTemporarilyUnmodifiable",
        409,
      );
      await env.fresh();
      for (const u of ["keys", "console", "ssh", "certs", "svc"]) await env.client.send(new CreateUserCommand({ UserName: u }));
    });
  });

  describe("SSH public keys", () => {
    it("uploads, lists, gets (SSH and PEM) and deletes keys", async () => {
      const up = (await env.client.send(new UploadSSHPublicKeyCommand({ UserName: "ssh", SSHPublicKeyBody: SSH_KEY(1) }))).SSHPublicKey!;
      assert.match(up.SSHPublicKeyId!, /^APKA[A-Z0-9]{17}$/);
      assert.match(up.Fingerprint!, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
      await env.client.send(new UploadSSHPublicKeyCommand({ UserName: "ssh", SSHPublicKeyBody: SSH_KEY(2) }));
      await expectIamError(
        env.client.send(new UploadSSHPublicKeyCommand({ UserName: "ssh", SSHPublicKeyBody: SSH_KEY(2) })),
        "DuplicateSSHPublicKey",
        400,
      );
      await expectIamError(
        env.client.send(new UploadSSHPublicKeyCommand({ UserName: "ssh", SSHPublicKeyBody: "not a key" })),
        "InvalidPublicKey",
        400,
      );
      const short = makeSshPublicKeyBody(Buffer.alloc(128, 7)); // a 1024-bit modulus
      await expectIamError(
        env.client.send(new UploadSSHPublicKeyCommand({ UserName: "ssh", SSHPublicKeyBody: short })),
        "InvalidPublicKey",
        400,
      );
      const mislabelled = SSH_KEY(3).replace(/^ssh-rsa/, "ssh-ed25519");
      await expectIamError(
        env.client.send(new UploadSSHPublicKeyCommand({ UserName: "ssh", SSHPublicKeyBody: mislabelled })),
        "InvalidPublicKey",
        400,
      );
      const listed = await env.client.send(new ListSSHPublicKeysCommand({ UserName: "ssh" }));
      assert.equal(listed.SSHPublicKeys?.length, 2);
      assert.deepEqual(Object.keys(listed.SSHPublicKeys![0]).sort(), ["SSHPublicKeyId", "Status", "UploadDate", "UserName"]);
      const ssh = await env.client.send(
        new GetSSHPublicKeyCommand({ UserName: "ssh", SSHPublicKeyId: up.SSHPublicKeyId, Encoding: "SSH" }),
      );
      assert.equal(ssh.SSHPublicKey?.SSHPublicKeyBody, SSH_KEY(1));
      const pem = await env.client.send(
        new GetSSHPublicKeyCommand({ UserName: "ssh", SSHPublicKeyId: up.SSHPublicKeyId, Encoding: "PEM" }),
      );
      assert.match(pem.SSHPublicKey!.SSHPublicKeyBody!, /^-----BEGIN PUBLIC KEY-----/);
      await env.client.send(new DeleteSSHPublicKeyCommand({ UserName: "ssh", SSHPublicKeyId: up.SSHPublicKeyId }));
      await expectIamError(
        env.client.send(new DeleteSSHPublicKeyCommand({ UserName: "ssh", SSHPublicKeyId: up.SSHPublicKeyId })),
        "NoSuchEntity",
        404,
      );
    });
  });

  describe("signing certificates", () => {
    it("uploads at most two, lists and deletes them", async () => {
      const c1 = (await env.client.send(new UploadSigningCertificateCommand({ UserName: "certs", CertificateBody: CERT(1) }))).Certificate!;
      await env.client.send(new UploadSigningCertificateCommand({ UserName: "certs", CertificateBody: CERT(2) }));
      await expectIamError(
        env.client.send(new UploadSigningCertificateCommand({ UserName: "certs", CertificateBody: CERT(3) })),
        "LimitExceeded",
        409,
      );
      await expectIamError(
        env.client.send(new UploadSigningCertificateCommand({ UserName: "certs", CertificateBody: "garbage" })),
        "MalformedCertificate",
        400,
      );
      const pemShaped = "-----BEGIN CERTIFICATE-----\nMIICnotreallyacertificate\n-----END CERTIFICATE-----";
      await expectIamError(
        env.client.send(new UploadSigningCertificateCommand({ UserName: "certs", CertificateBody: pemShaped })),
        "MalformedCertificate",
        400,
      );
      const listed = await env.client.send(new ListSigningCertificatesCommand({ UserName: "certs" }));
      assert.equal(listed.Certificates?.length, 2);
      assert.equal(listed.Certificates?.[0].CertificateBody, CERT(1));
      await env.client.send(new DeleteSigningCertificateCommand({ UserName: "certs", CertificateId: c1.CertificateId }));
      await expectIamError(
        env.client.send(new DeleteSigningCertificateCommand({ UserName: "certs", CertificateId: c1.CertificateId })),
        "NoSuchEntity",
        404,
      );
    });
  });

  describe("service-specific credentials", () => {
    it("creates credentials for CodeCommit, Keyspaces, Bedrock and any *.amazonaws.com service", async () => {
      const cc = (
        await env.client.send(new CreateServiceSpecificCredentialCommand({ UserName: "svc", ServiceName: "codecommit.amazonaws.com" }))
      ).ServiceSpecificCredential!;
      assert.match(cc.ServiceSpecificCredentialId!, /^ACCA[A-Z0-9]{17}$/);
      assert.equal(cc.ServiceUserName, "svc-at-123456789012");
      assert.ok(cc.ServicePassword);
      await env.client.send(new CreateServiceSpecificCredentialCommand({ UserName: "svc", ServiceName: "cassandra.amazonaws.com" }));
      const br = (
        await env.client.send(
          new CreateServiceSpecificCredentialCommand({ UserName: "svc", ServiceName: "bedrock.amazonaws.com", CredentialAgeDays: 30 }),
        )
      ).ServiceSpecificCredential!;
      assert.ok(br.ServiceCredentialAlias && br.ServiceCredentialSecret);
      assert.ok(br.ExpirationDate instanceof Date);
      await env.client.send(new CreateServiceSpecificCredentialCommand({ UserName: "svc", ServiceName: "newservice.amazonaws.com" }));
      await expectIamError(
        env.client.send(new CreateServiceSpecificCredentialCommand({ UserName: "svc", ServiceName: "not-a-service" })),
        "NotSupportedService",
        404,
      );
      await env.client.send(new CreateServiceSpecificCredentialCommand({ UserName: "svc", ServiceName: "codecommit.amazonaws.com" }));
      await expectIamError(
        env.client.send(new CreateServiceSpecificCredentialCommand({ UserName: "svc", ServiceName: "codecommit.amazonaws.com" })),
        "LimitExceeded",
        409,
      );
    });

    it("lists every service without ServiceName, filters with it, and pages with Marker/MaxItems", async () => {
      const all = await env.client.send(new ListServiceSpecificCredentialsCommand({ UserName: "svc" }));
      assert.deepEqual(
        all.ServiceSpecificCredentials?.map((c) => c.ServiceName),
        [
          "codecommit.amazonaws.com",
          "cassandra.amazonaws.com",
          "bedrock.amazonaws.com",
          "newservice.amazonaws.com",
          "codecommit.amazonaws.com",
        ],
      );
      assert.equal(all.IsTruncated, false);
      assert.ok(all.ServiceSpecificCredentials?.every((c) => !("ServicePassword" in c)));
      const cc = await env.client.send(
        new ListServiceSpecificCredentialsCommand({ UserName: "svc", ServiceName: "codecommit.amazonaws.com" }),
      );
      assert.equal(cc.ServiceSpecificCredentials?.length, 2);
      const ids: string[] = [];
      let marker: string | undefined;
      let calls = 0;
      do {
        const page = await env.client.send(new ListServiceSpecificCredentialsCommand({ UserName: "svc", MaxItems: 2, Marker: marker }));
        calls++;
        ids.push(...page.ServiceSpecificCredentials!.map((c) => c.ServiceSpecificCredentialId!));
        marker = page.IsTruncated ? page.Marker : undefined;
        if (page.IsTruncated) assert.ok(page.Marker);
      } while (marker);
      assert.equal(calls, 3);
      assert.deepEqual(
        ids,
        all.ServiceSpecificCredentials?.map((c) => c.ServiceSpecificCredentialId),
      );
    });

    it("deletes a credential; an unknown id is NoSuchEntity", async () => {
      const [first] = (await env.client.send(new ListServiceSpecificCredentialsCommand({ UserName: "svc" }))).ServiceSpecificCredentials!;
      await env.client.send(
        new DeleteServiceSpecificCredentialCommand({ UserName: "svc", ServiceSpecificCredentialId: first.ServiceSpecificCredentialId }),
      );
      await expectIamError(
        env.client.send(
          new DeleteServiceSpecificCredentialCommand({ UserName: "svc", ServiceSpecificCredentialId: first.ServiceSpecificCredentialId }),
        ),
        "NoSuchEntity",
        404,
      );
      assert.equal(
        (await env.client.send(new ListServiceSpecificCredentialsCommand({ UserName: "svc" }))).ServiceSpecificCredentials?.length,
        4,
      );
    });
  });
});
