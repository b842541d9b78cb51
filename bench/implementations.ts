/**
 * The implementations of "delete this user" the bench compares, as a table: one entry each, with its label, how to
 * connect it to the emulator and tear one user down, what the call model predicts for it, and (for the engine) the
 * settings other than the defaults that run as extra rows.
 */
import { GetUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { iamClientFor } from "../provider/aws/client";
import { applyRateLimiter, PerActionRateLimiter } from "../provider/aws/rate-limit";
import { runCli } from "../provider/cli";
import { type TeardownOptions, teardownUser } from "../provider/teardown";
import { runbookUntilDeleted } from "./anchors/runbook";
import { BOTO3_LEGACY_RETRY, type IamSender, ModelClient, TERRAFORM_RETRY } from "./anchors/sender";
import { terraformForceDestroyUser } from "./anchors/terraform-force-destroy";
import { type ActionCounts, engineCalls, runbookCalls, terraformCalls } from "./call-model";
import type { ImplementationId } from "./report";
import type { ScenarioSpec, UserSpec } from "./scenarios";

export interface EngineVariant {
  /** Shown in the results: which settings differ from the defaults the Pulumi provider uses. */
  label: string;
  options?: Partial<TeardownOptions>;
  /** A hard per-action cap for the package's client-side limiter (ClientTuning.maxRatePerAction). */
  maxRatePerAction?: number;
  /** A client built differently from iamClientFor's (an experiment: another limiter, another retry mode). */
  client?: (endpoint: string) => IAMClient;
}

/** A user of the scenario as the emulator seeded it. */
export interface SeededUser {
  spec: UserSpec;
  userId: string;
  virtualSerials: string[];
}

export interface UserOutcome {
  userName: string;
  /** The user is gone at the end. */
  deleted: boolean;
  /** Deleted by the first attempt, in one round. */
  onePass: boolean;
  /** Runbook executions it took (1 or 2); 1 for the others. */
  runs: number;
  error?: string;
}

/** An implementation with its client built for one emulator, before timing starts. */
export interface Connected {
  /** One request before timing, on the client the run will use: client set-up, credentials, first socket. */
  warmUp(): Promise<unknown>;
  tearDown(user: SeededUser): Promise<UserOutcome>;
  /** Every user in one call, at the implementation's own concurrency (the fleet CLI); the bench's slots otherwise. */
  tearDownAll?(users: readonly SeededUser[]): Promise<UserOutcome[]>;
  /** Releases what connect built (the package's own clients are reset by the bench after every run). */
  close(): void;
}

export interface Implementation {
  id: ImplementationId;
  label: string;
  /** A model of another tool's call sequence: measured on a scenario's anchor sample, compared with the engine. */
  anchor: boolean;
  connect(endpoint: string, variant?: EngineVariant): Connected;
  /** What the call model predicts for tearing these users down. */
  predictedCalls(s: ScenarioSpec, users: readonly UserSpec[]): ActionCounts;
  /** Actions whose counts are reported per user rather than predicted (see call-model.ts). */
  unpredictedActions: readonly string[];
  /** Settings other than the defaults, run as extra rows: evidence for (or against) changing a default. */
  variants(s: ScenarioSpec): EngineVariant[];
}

/** A name no scenario uses: the warm-up request answers NoSuchEntity and touches nothing. */
const WARM_UP_USER = "bench-warm-up-nobody";

const warmUpOn = (client: IamSender | IAMClient) => () => client.send(new GetUserCommand({ UserName: WARM_UP_USER }));

/** An anchor model on its own client, with the retry behaviour of the tool it models. */
function anchorConnection(client: ModelClient, tearDown: (client: ModelClient, user: SeededUser) => Promise<UserOutcome>): Connected {
  return { warmUp: warmUpOn(client), tearDown: (user) => tearDown(client, user), close: () => client.destroy() };
}

const noVariants = (): EngineVariant[] => [];

export const IMPLEMENTATIONS: readonly Implementation[] = [
  {
    id: "runbook",
    label: "AWS runbook (AWSConfigRemediation-DeleteIAMUser v4) model",
    anchor: true,
    connect: (endpoint) =>
      anchorConnection(new ModelClient(endpoint, BOTO3_LEGACY_RETRY), async (client, t) => {
        const runs = await runbookUntilDeleted(client, t.spec.userName, { userId: t.userId, maxRuns: 2 });
        const last = runs[runs.length - 1];
        return {
          userName: t.spec.userName,
          deleted: last.ok,
          onePass: runs.length === 1 && last.ok,
          runs: runs.length,
          error: runs.find((r) => !r.ok)?.error,
        };
      }),
    predictedCalls: (s, users) => {
      const { secondRuns: _secondRuns, ...counts } = runbookCalls(s, users);
      return counts;
    },
    unpredictedActions: [],
    variants: noVariants,
  },
  {
    id: "terraform",
    label: "Terraform aws_iam_user force_destroy model",
    anchor: true,
    connect: (endpoint) =>
      anchorConnection(new ModelClient(endpoint, TERRAFORM_RETRY), async (client, t) => {
        const r = await terraformForceDestroyUser(client, t.spec.userName);
        return { userName: t.spec.userName, deleted: r.ok, onePass: r.ok, runs: 1, error: r.error };
      }),
    predictedCalls: terraformCalls,
    unpredictedActions: [],
    variants: noVariants,
  },
  {
    id: "engine",
    label: "iam-user-teardown engine",
    anchor: false,
    connect: connectEngine,
    predictedCalls: (s, users) => engineCalls(s, users),
    // The engine's identity checks (GetUser, and the ListUsers walks that answer re-checks together) are reported, not predicted.
    unpredictedActions: ["GetUser", "ListUsers"],
    variants: engineVariantsFor,
  },
  {
    id: "fleet-cli",
    label: "iam-user-teardown fleet CLI (delete --from-file, one process)",
    anchor: false,
    connect: connectFleetCli,
    predictedCalls: (s, users) => engineCalls(s, users),
    unpredictedActions: ["GetUser", "ListUsers"],
    variants: noVariants,
  },
];

/**
 * The fleet CLI's own code path, in this process: runCli, exactly as bin/iam-user-teardown.js calls it, with every
 * user on the command line, --yes and --json; the outcome of each user read from its JSON line.
 */
function connectFleetCli(endpoint: string): Connected {
  const client = iamClientFor({});
  return {
    warmUp: warmUpOn(client),
    tearDown: async (t) => (await runFleet([t]))[0],
    tearDownAll: runFleet,
    close: () => undefined,
  };
  async function runFleet(users: readonly SeededUser[]): Promise<UserOutcome[]> {
    if (process.env.AWS_ENDPOINT_URL_IAM !== endpoint) throw new Error("the fleet CLI reaches the emulator through AWS_ENDPOINT_URL_IAM");
    let out = "";
    let err = "";
    const code = await runCli(["delete", ...users.map((u) => u.spec.userName), "--yes", "--json"], {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
    });
    const lines = out
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; userName: string; outcome: string; rounds?: number; error?: string });
    const byName = new Map(lines.filter((l) => l.type === "user").map((l) => [l.userName, l]));
    return users.map((u) => {
      const line = byName.get(u.spec.userName);
      const deleted = line?.outcome === "deleted";
      return {
        userName: u.spec.userName,
        deleted,
        onePass: deleted && line?.rounds === 1,
        runs: 1,
        error: line?.error ?? (line ? undefined : `exit ${code}: ${err.slice(-300)}`),
      };
    });
  }
}

function connectEngine(endpoint: string, v?: EngineVariant): Connected {
  // The client teardownUser would build for this connection (one per connection per process), built before timing.
  const client = v?.client
    ? v.client(endpoint)
    : v?.maxRatePerAction
      ? iamClientFor({ endpoint }, { maxRatePerAction: v.maxRatePerAction })
      : iamClientFor({ endpoint });
  const ownClient = v?.client !== undefined || v?.maxRatePerAction !== undefined;
  return {
    warmUp: warmUpOn(client),
    tearDown: async (t) => {
      try {
        // As the Pulumi provider's delete calls it (provider-methods.ts remove), plus any variant settings.
        const report = await teardownUser({
          ...(ownClient ? { client } : { connection: { endpoint } }),
          userName: t.spec.userName,
          expectedUserId: t.userId,
          knownVirtualMfaSerials: t.virtualSerials,
          ...(v?.options ?? {}),
        });
        return {
          userName: t.spec.userName,
          deleted: report.outcome === "deleted",
          onePass: report.outcome === "deleted" && report.rounds === 1,
          runs: 1,
        };
      } catch (err) {
        return { userName: t.spec.userName, deleted: false, onePass: false, runs: 1, error: String((err as Error)?.message ?? err) };
      }
    },
    close: () => undefined,
  };
}

function engineVariantsFor(s: ScenarioSpec): EngineVariant[] {
  if (s.id === "one-user-20" || s.id === "one-user-40") {
    return [
      { label: "concurrency 32", options: { concurrency: 32 } },
      { label: "verify on", options: { verify: true } },
      { label: "concurrency 32, verify on", options: { concurrency: 32, verify: true } },
    ];
  }
  if (s.id.startsWith("fleet-")) {
    return [
      { label: "concurrency 32", options: { concurrency: 32 } },
      { label: "maxInFlight 128", options: { maxInFlight: 128 } },
    ];
  }
  // At 1,000 users each of these is minutes on its own (measured at 200 users in earlier runs: bench/full-scale/).
  if (s.id.startsWith("throttled-") && s.targets.length <= 200) {
    return [
      // Why the package retries in the SDK's standard mode: adaptive mode adds one client-wide rate for every action.
      { label: "adaptive SDK retry", client: (endpoint) => experimentClient(endpoint, "adaptive") },
      { label: "verify on", options: { verify: true } },
    ];
  }
  return [];
}

/** A client like iamClientFor's (same retry attempts, the per-action limiter) with another SDK retry mode. */
function experimentClient(endpoint: string, retryMode: "adaptive" | "standard"): IAMClient {
  const client = new IAMClient({ endpoint, region: process.env.AWS_REGION, retryMode, maxAttempts: 10 });
  applyRateLimiter(client, new PerActionRateLimiter());
  return client;
}
