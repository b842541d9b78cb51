import type { IAMClient } from "@aws-sdk/client-iam";

export type MfaKind = "virtual" | "hardware" | "fido";

/** One thing hanging on a user. `id` is an identifier (never secret material); `kind` is its kind's id. */
export interface DependencyItem {
  kind: string;
  id: string;
  /** For MFA devices: how AWS's own answers classify the device. */
  mfaKind?: MfaKind;
  /** For service-specific credentials: the service. */
  service?: string;
  /** For virtual MFA devices: recorded as the user's, no longer assigned to it, still in the account. */
  unassigned?: boolean;
  /** For credentials that can be switched off: their status as listed ("Expired": a service credential past its date). */
  status?: CredentialStatus;
}

export type CredentialStatus = "Active" | "Inactive" | "Expired";

/**
 * What a quarantine needs of a kind whose items can be switched off and on again without losing them: the IAM action
 * that sets an item's status, and the call itself.
 */
export interface StatusSwitch {
  /** The IAM action that sets the status (for plans and least-privilege policies). */
  action: string;
  /** Sets the item Inactive (deactivate) or Active (reactivate). NoSuchEntity is left to the caller. */
  set(ctx: KindContext, userName: string, item: DependencyItem, status: "Active" | "Inactive"): Promise<void>;
}

/** Aborting stops the SDK's own retries of a call, not only the calls not yet sent. */
export interface SendOptions {
  abortSignal?: AbortSignal;
  /** Called as each attempt of the call goes out to IAM (after the client's rate limiter and queue, per retry). */
  onSent?: () => void;
  /** Called for each attempt that went out and got no answer (the connection dropped): IAM may have carried it out. */
  onUnanswered?: () => void;
}

declare const listingMark: unique symbol;
/** A point in the order of the virtual device index's listings (`mark()`), compared by that order, never by time. */
export type ListingMark = number & { readonly [listingMark]: true };

/** What the MFA kind asks of the account's virtual device index (virtual-mfa.ts), without depending on it. */
export interface VirtualMfaDirectory {
  prefetch(): void;
  /** Now, in the order of listings: what later asks for a listing begun after this point passes it. */
  mark(): ListingMark;
  classify(serial: string, listedAfter: ListingMark): Promise<MfaKind>;
  isUnassignedVirtual(serial: string, after: ListingMark): Promise<boolean>;
}

/** What a kind module gets to work with. */
export interface KindContext {
  client: IAMClient;
  /** Sends a command, counting it. */
  send<Output>(command: unknown, options?: SendOptions): Promise<Output>;
  /** MaxItems for list calls. */
  pageSize: number;
  virtualMfa: VirtualMfaDirectory;
}

/** Per kind, what a plan's detailed inventory shows: a count and identifiers, and whatever the kind adds. */
export type KindDetail<Extra extends object = object> = { count: number; ids: string[] } & Extra;

/**
 * Words for a number of a kind's items in the one-line inventory summary and in review tables ("2 access keys",
 * "1 FIDO security key"); `single` for what a user holds at most one of, named without a number ("console password").
 * `matches` narrows it to some of the kind's items (MFA devices by their kind).
 */
export interface Tally {
  singular: string;
  plural: string;
  single?: boolean;
  matches?(item: DependencyItem): boolean;
}

/**
 * A dependency kind, whole: its id, the words plans, logs and reports use for it, how to list what hangs on a user,
 * and how to remove one item. `Extra` is what the kind adds to its entry of the inventory output.
 */
export interface DependencyKind<Id extends string = string, Extra extends object = object> {
  id: Id;
  /** Words for one item and for several ("access key", "access keys"). */
  singular: string;
  title: string;
  /**
   * True when the removal call names nothing unique to this user but the user's name (and a group, policy name or
   * policy ARN): if the user were deleted and its name reused during the teardown, such a call would reach the new
   * user, where a call with a key id, certificate id or MFA serial would only answer NoSuchEntity. These go first,
   * right after the identity check.
   */
  namedByUserOnly: boolean;
  /** The IAM actions the list makes. */
  listActions: readonly string[];
  list(ctx: KindContext, userName: string): Promise<DependencyItem[]>;
  /** The IAM actions that remove this item, in order (for plans and least-privilege policies). */
  removalActions(item: DependencyItem): readonly string[];
  /** Removes one item. NoSuchEntity is left to the caller, which treats it as already gone. */
  remove(ctx: KindContext, userName: string, item: DependencyItem): Promise<void>;
  /** How an item reads in logs and plans; by default "<singular> <id>". */
  describe?(item: DependencyItem): string;
  /** Added to the count in summaries: "(1 virtual, 1 FIDO security key)". */
  countDetail?(items: readonly DependencyItem[]): string;
  /** The identifier the inventory output shows; by default the item's id. */
  outputId?(item: DependencyItem): string;
  /** What the kind adds to its entry of a plan's detailed inventory. */
  outputExtra?(items: readonly DependencyItem[]): Extra;
  /** How the kind is counted in summaries and review tables; by default every item under `singular` and `title`. */
  tallies?: readonly Tally[];
  /** For a kind IAM keeps a last use of per item (access keys): the IAM action that reads it. */
  lastUseAction?: string;
  /** The item's last use as IAM reports it (`date` undefined: never used); undefined when the item is gone. */
  lastUse?(ctx: KindContext, item: DependencyItem): Promise<ItemLastUse | undefined>;
  /** For credentials a quarantine sets Inactive and back (quarantine.ts); absent for kinds it leaves alone. */
  statusSwitch?: StatusSwitch;
  /** The IAM actions `recordItems` makes beyond the list (for plans of calls and least-privilege policies). */
  recordActions?: readonly string[];
  /**
   * The items as a user's record keeps them (record.ts): what a restore needs and an auditor asks, never secret
   * material. May read more of each item (an inline policy's document, an SSH key's body). By default the ids.
   */
  recordItems?(ctx: KindContext, userName: string, items: readonly DependencyItem[]): Promise<RecordEntry[]>;
  /** How a restore brings an item of this kind back; absent for what cannot come back (see `cannotRestore`). */
  restore?: KindRestore;
  /** Why a restore cannot bring this kind back, in words a person acts on ("a password is never recorded: ..."). */
  cannotRestore?: string;
}

/** One credential's last use: when (absent: never), through which service, in which region. */
export interface ItemLastUse {
  date?: Date;
  service?: string;
  region?: string;
}

/** One item as a record holds it: its identifier and what the kind records of it (never secret material). */
export type RecordEntry = { id: string } & Record<string, unknown>;

/** What became of one recorded item in a restore. */
export interface RecreatedItem {
  id: string;
  /** recreated: back (under `newId` when IAM gave it a new one); missing: what it named no longer exists; failed. */
  outcome: "recreated" | "missing" | "failed";
  newId?: string;
  detail?: string;
}

/** How a restore recreates a kind's items on a user just created. */
export interface KindRestore {
  /** The IAM actions `recreate` may make. */
  actions: readonly string[];
  recreate(ctx: KindContext, userName: string, entry: RecordEntry): Promise<RecreatedItem>;
}

/** An ordered set of kinds: the engine lists, removes, plans and reports exactly these. */
export type KindRegistry = readonly DependencyKind[];

/** What hangs on a user, per kind id. */
export type Inventory<Id extends string = string> = Record<Id, DependencyItem[]>;

/** Declares a kind, keeping its id's literal type (from which KindId and the inventory output's type are derived). */
export function defineKind<const Id extends string, Extra extends object = object>(
  kind: DependencyKind<Id, Extra>,
): DependencyKind<Id, Extra> {
  return kind;
}
