import * as pulumi from "@pulumi/pulumi";
import { IamUserTeardown } from "iam-user-teardown";

// Decommissioning an account: declare the users that exist today (adopt: true takes each over and records its
// UserId, changing nothing on the user), review what a destroy will remove, live and user by user, with
// `pulumi destroy --preview-only --refresh --diff --show-sames`, then `pulumi destroy` removes them all in one run.
const config = new pulumi.Config();
const userNames = config.requireObject<string[]>("userNames");

const adopted = userNames.map((userName) => new IamUserTeardown(userName, { userName, adopt: true }));

export const toRemove = adopted.map((u) =>
  pulumi.all([u.userName, u.inventory]).apply(([name, inventory]) => ({ name, total: inventory.total })),
);
