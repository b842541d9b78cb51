// Several AWS accounts behind one endpoint, as in an organization: each account its own IAM state (users, ids, ARNs
// with its id) and its own throttle buckets, as IAM throttles per account. A request signed with a session's key acts
// in the account of the role that session assumed; any other request acts in the home account.

import { FaultInjector, type FaultOptions } from "./faults";
import { IamState, type IamStateOptions } from "./state";

/** One account the emulator serves. */
export interface MemberAccount {
  state: IamState;
  faults: FaultInjector;
}

export class Organization {
  private readonly members = new Map<string, MemberAccount>();

  constructor(
    readonly home: MemberAccount,
    otherAccountIds: readonly string[],
    stateOptions: IamStateOptions,
    faultOptions: FaultOptions,
    clock?: () => number,
  ) {
    this.members.set(home.state.accountId, home);
    for (const accountId of otherAccountIds) {
      if (!/^\d{12}$/.test(accountId)) throw new Error(`emulator: account id must be 12 digits; got ${JSON.stringify(accountId)}`);
      if (this.members.has(accountId)) continue;
      this.members.set(accountId, {
        state: new IamState({ ...stateOptions, accountId }),
        faults: new FaultInjector(faultOptions, clock),
      });
    }
  }

  /** Whether a role of this account can exist here: with other accounts declared, only the served ones. */
  serves(accountId: string): boolean {
    return this.members.size === 1 || this.members.has(accountId);
  }

  /** The account a request acts in: its session's, when served, else the home account. */
  memberFor(accountId: string | undefined): MemberAccount {
    return (accountId !== undefined && this.members.get(accountId)) || this.home;
  }

  accountIds(): string[] {
    return [...this.members.keys()];
  }

  /** The state of a served account; throws for any other. */
  stateOf(accountId: string): IamState {
    const member = this.members.get(accountId);
    if (!member) throw new Error(`emulator: account ${accountId} is not served (accounts: ${this.accountIds().join(", ")})`);
    return member.state;
  }
}
