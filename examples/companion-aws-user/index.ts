import * as aws from "@pulumi/aws";
import { IamUserTeardown } from "iam-user-teardown";

// Companion mode: aws.iam.User owns the user; IamUserTeardown (deleteUser: false) owns its teardown. Because the
// companion depends on the user, `pulumi destroy` runs the companion first (every credential, device, membership
// and policy goes, MFA devices by kind), then aws.iam.User's own DeleteUser succeeds.
const user = new aws.iam.User("deployer", { name: "deployer", path: "/ci/" });

export const teardown = new IamUserTeardown("deployer-teardown", { userName: user.name, deleteUser: false });
export const userArn = user.arn;
