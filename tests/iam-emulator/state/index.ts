// One AWS account's IAM state, with the rules IAM enforces on it.
//
// Every method is synchronous and throws IamError with the code, status and message AWS uses,
// so the same code serves the HTTP actions, seeding, and tests or hooks that change the
// account "out of band" (a person or a pipeline acting while a teardown runs).
//
// The state is split by area, the way actions/ is. Each area extends the one below it, because
// it needs what that one holds (a user's boundary is a policy, DeleteUser looks at everything):
//   account.ts      id, clock, id generator, the account-level collections, finding a user
//   policies.ts     managed policies and attachments, inline policies
//   groups.ts       groups and memberships
//   credentials.ts  access keys, login profile, SSH keys, signing certificates, service credentials
//   mfa.ts          virtual, hardware and FIDO MFA devices
//   users.ts        create, update, tag, boundary, delete
// records.ts holds the record types, rules.ts IAM's validation rules and quotas, seeding.ts and
// snapshot.ts describe an account as data in both directions.

import { ActivityLog } from "./activity";
import { type Scenario, type SeedResult, seedScenario } from "./seeding";
import { snapshotOf } from "./snapshot";
import { UserState } from "./users";

export { IamStateOptions } from "./account";
export { ActivityLog, KeyUse, ServiceAccess } from "./activity";
export * from "./records";
export * from "./rules";
export { Scenario, SeedResult, UserSeed } from "./seeding";

export class IamState extends UserState {
  /** Password, access key and per-service last use (activity.ts). */
  readonly activity = new ActivityLog(this);

  seed(scenario: Scenario): SeedResult {
    return seedScenario(this, scenario);
  }

  /** A deterministic JSON-able view of the user and everything hanging on it; null when the user does not exist. */
  snapshotUser(userName: string): unknown {
    return snapshotOf(this, userName);
  }
}
