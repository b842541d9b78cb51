/**
 * How the anchor models talk to IAM.
 *
 * An anchor takes anything with `send(command)`: the package's own client (the demo passes one), or a `ModelClient`
 * that retries the way the anchor's real SDK does. The bench uses the latter, so that under throttling each anchor
 * gets its own tool's retry behaviour and no help from this package's rate limiter:
 *
 * - Terraform (aws-sdk-go v1 through aws-sdk-go-base, provider default max_retries = 25): throttling, 5xx and
 *   connection errors retried; a throttled call waits 2^n x [500, 1000) ms (the v1 DefaultRetryer's throttle delay,
 *   exponent capped at 8), other retryable errors 2^n x [30, 60) ms.
 * - The SSM runbook's aws:executeScript (boto3, default "legacy" retry mode: 5 attempts): a retried call waits
 *   rand(0, 1) x 2^(attempt - 1) s.
 */
import { IAMClient } from "@aws-sdk/client-iam";

/** What an anchor needs from a client. `IAMClient` fits. */
export interface IamSender {
  send(command: any): Promise<any>;
}

export interface RetryModel {
  name: string;
  maxAttempts: number;
  /** Delay before retry number `retry` (1-based). */
  delayMs(retry: number, throttled: boolean): number;
}

export const TERRAFORM_RETRY: RetryModel = {
  name: "aws-sdk-go v1 DefaultRetryer, max_retries 25",
  maxAttempts: 26,
  delayMs(retry, throttled) {
    const min = throttled ? 500 : 30;
    const exp = Math.min(retry - 1, throttled ? 8 : 13);
    return Math.min(300_000, 2 ** exp * (min + Math.random() * min));
  },
};

export const BOTO3_LEGACY_RETRY: RetryModel = {
  name: "boto3 legacy retry mode, 5 attempts",
  maxAttempts: 5,
  delayMs(retry) {
    return Math.random() * 2 ** (retry - 1) * 1000;
  },
};

const THROTTLING_CODES = new Set(["Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"]);

function codeOf(err: unknown): string | undefined {
  return (err as { name?: string; Code?: string })?.name ?? (err as { Code?: string })?.Code;
}

function isRetryable(err: unknown): { retry: boolean; throttled: boolean } {
  const code = codeOf(err);
  if (code && THROTTLING_CODES.has(code)) return { retry: true, throttled: true };
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if ((status !== undefined && status >= 500) || code === "ServiceFailure" || code === "ServiceUnavailable")
    return { retry: true, throttled: false };
  if (code === "ECONNRESET" || code === "EPIPE" || code === "TimeoutError") return { retry: true, throttled: false };
  return { retry: false, throttled: false };
}

/** A client for one anchor model: the SDK makes one attempt per send, the model's retry policy does the rest. */
export class ModelClient implements IamSender {
  private readonly client: IAMClient;
  /** Attempts sent, retries included. */
  attempts = 0;
  retries = 0;

  constructor(
    endpoint: string,
    private readonly retry: RetryModel,
  ) {
    this.client = new IAMClient({ endpoint, region: process.env.AWS_REGION ?? "us-east-1", maxAttempts: 1 });
  }

  async send(command: any): Promise<any> {
    for (let attempt = 1; ; attempt++) {
      this.attempts++;
      try {
        return await this.client.send(command);
      } catch (err) {
        const r = isRetryable(err);
        if (!r.retry || attempt >= this.retry.maxAttempts) throw err;
        this.retries++;
        await new Promise((resolve) => setTimeout(resolve, this.retry.delayMs(attempt, r.throttled)));
      }
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** Counts the calls a run makes (every send, whatever the client does underneath). */
export function counting(client: IamSender): IamSender & { calls: number } {
  const wrapped = {
    calls: 0,
    send(command: any): Promise<any> {
      wrapped.calls++;
      return client.send(command);
    },
  };
  return wrapped;
}

export function errorCodeOf(err: unknown): string {
  return codeOf(err) ?? "Error";
}

export function describeError(action: string, err: unknown): string {
  const message = (err as { message?: string })?.message ?? String(err);
  return `${action}: ${errorCodeOf(err)}: ${message}`;
}

/** The IAM action a command object stands for: `DeleteAccessKeyCommand` -> `DeleteAccessKey`. */
export function actionOf(command: unknown): string {
  return (command as { constructor: { name: string } }).constructor.name.replace(/Command$/, "");
}

/** Walks every page of an IAM list call with the SDK's default page size (IAM's MaxItems default: 100). */
export async function allPages<P extends { IsTruncated?: boolean; Marker?: string }, T>(
  fetch: (marker: string | undefined) => Promise<P>,
  items: (page: P) => T[] | undefined,
  stop?: (item: T) => boolean,
): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await fetch(marker);
    for (const item of items(page) ?? []) {
      out.push(item);
      if (stop?.(item)) return out;
    }
    if (!page.IsTruncated || !page.Marker) return out;
    marker = page.Marker;
  }
}
