/** Users with (nearly) every kind, created in moto through the SDK as a person would (moto holds no service-specific credential). */
import * as I from "@aws-sdk/client-iam";
import { CERT, SSH_KEY } from "../emulator/support";

export const MOTO_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["logs:GetLogEvents", "logs:FilterLogEvents"], Resource: "arn:aws:logs:*:*:*" }],
});

let counter = 0;

export interface MotoUser {
  userId: string;
  arn: string;
  accountId: string;
}

/** A user at /staff/ with tags (moto keeps no permissions boundary), a group, an inline and a managed policy, a key, a password, an SSH key, a certificate and two MFA devices. */
export async function seedMotoUser(endpoint: string, userName: string): Promise<MotoUser> {
  const iam = new I.IAMClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "y" }, maxAttempts: 1 });
  try {
    const n = ++counter;
    const user = (
      await iam.send(
        new I.CreateUserCommand({
          UserName: userName,
          Path: "/staff/",
          Tags: [
            { Key: "team", Value: "core" },
            { Key: "owner", Value: userName },
          ],
        }),
      )
    ).User!;
    await iam.send(new I.CreateGroupCommand({ GroupName: `${userName}-devs` }));
    await iam.send(new I.AddUserToGroupCommand({ UserName: userName, GroupName: `${userName}-devs` }));
    await iam.send(new I.PutUserPolicyCommand({ UserName: userName, PolicyName: "read-logs", PolicyDocument: MOTO_POLICY }));
    await iam.send(new I.AttachUserPolicyCommand({ UserName: userName, PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }));
    await iam.send(new I.CreateAccessKeyCommand({ UserName: userName }));
    await iam.send(new I.CreateLoginProfileCommand({ UserName: userName, Password: "Pass-word-123!" }));
    await iam.send(new I.UploadSSHPublicKeyCommand({ UserName: userName, SSHPublicKeyBody: SSH_KEY(n + 20) }));
    await iam.send(new I.UploadSigningCertificateCommand({ UserName: userName, CertificateBody: CERT(n) }));
    const device = (await iam.send(new I.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${userName}-phone` }))).VirtualMFADevice!;
    const code = { AuthenticationCode1: "123456", AuthenticationCode2: "654321" };
    await iam.send(new I.EnableMFADeviceCommand({ UserName: userName, SerialNumber: device.SerialNumber, ...code }));
    const accountId = /^arn:aws:iam::(\d{12}):/.exec(user.Arn!)![1];
    return { userId: user.UserId!, arn: user.Arn!, accountId };
  } finally {
    iam.destroy();
  }
}
