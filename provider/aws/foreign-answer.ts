import { Readable } from "node:stream";
import type { IAMClient } from "@aws-sdk/client-iam";

/** How much of a foreign body a message shows. */
const BODY_START = 160;

/**
 * IAM answered with something that is not IAM's XML: a proxy's or a load balancer's HTML error page, a captive portal.
 * Named by the HTTP status and the start of the body, instead of the SDK's "Unknown" from parsing HTML as XML.
 */
export class ForeignAnswerError extends Error {
  override readonly name = "ForeignAnswer";
  /** Read by the SDK's retry strategy: a 5xx from a proxy is retried like IAM's own. */
  readonly $metadata: { httpStatusCode: number };
  constructor(
    readonly status: number,
    readonly bodyStart: string,
  ) {
    super(`the answer is not IAM's (HTTP ${status}): ${bodyStart}`);
    this.$metadata = { httpStatusCode: status };
  }
}

const looksLikeXml = (text: string) => /^\s*(<\?xml[^>]*>\s*)?<\w+(Response|Result)\b/.test(text) || /^\s*<\?xml/.test(text);

/**
 * Adds a check right after the response arrives, before the SDK parses it: a body whose content type is not XML is
 * read, and unless it is XML after all (some servers label it text/plain) it ends in a ForeignAnswerError.
 */
export function applyForeignAnswerCheck(client: IAMClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; headers?: Record<string, string>; body?: unknown };
      const type = Object.entries(response.headers ?? {}).find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "";
      if (/xml/i.test(type) || !response.body || typeof (response.body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== "function")
        return result;
      const chunks: Buffer[] = [];
      for await (const chunk of response.body as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
      const text = Buffer.concat(chunks).toString("utf8");
      if (looksLikeXml(text)) {
        response.body = Readable.from([Buffer.from(text, "utf8")]);
        return result;
      }
      throw new ForeignAnswerError(response.statusCode ?? 0, text.replace(/\s+/g, " ").trim().slice(0, BODY_START));
    },
    // Inside the deserializer: `next` returns the raw HTTP response, not yet parsed.
    { step: "deserialize", name: "iamUserTeardownForeignAnswer", priority: "low" },
  );
}
