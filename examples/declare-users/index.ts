import * as pulumi from "@pulumi/pulumi";
import { IamUserTeardown } from "iam-user-teardown";

// Three users declared in code. When one leaves this program (or on `pulumi destroy`), it is torn down completely:
// keys, passwords, MFA devices of every kind, groups and policies included, in one pass.
const config = new pulumi.Config();
const team = config.get("team") ?? "platform";

const users = ["ana", "bruno", "chen"].map(
  (name) =>
    new IamUserTeardown(name, {
      userName: `${team}-${name}`,
      path: `/${team}/`,
      tags: { team, "managed-by": "pulumi" },
    }),
);

export const arns = users.map((u) => u.arn);
export const userIds = users.map((u) => u.userId);
// What a destroy would remove, as of the last `pulumi up` or `pulumi refresh`.
export const inventories = users.map((u) => u.inventory);
