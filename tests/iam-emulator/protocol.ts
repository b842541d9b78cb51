// IAM's Query protocol: form-encoded requests in, XML documents out.
//
// Requests are `Action=X&Version=2010-05-08&...` (POST body or query string). Lists arrive as
// `Name.member.N` (strings) or `Name.member.N.Field` (structures). Responses are
// `<XResponse xmlns=...><XResult>...</XResult><ResponseMetadata>...` and errors use AWS's
// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>` shape.

import { randomUUID } from "node:crypto";

export const IAM_XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/";
export const IAM_VERSION = "2010-05-08";

export type Params = Record<string, string>;

/** An IAM error as AWS reports it: code, HTTP status, message, and who is at fault. */
export class IamError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly type: "Sender" | "Receiver" = status >= 500 ? "Receiver" : "Sender",
  ) {
    super(message);
    this.name = code;
  }
}

export const noSuchEntity = (message: string): IamError => new IamError("NoSuchEntity", 404, message);
export const deleteConflict = (message: string): IamError => new IamError("DeleteConflict", 409, message);
export const entityAlreadyExists = (message: string): IamError => new IamError("EntityAlreadyExists", 409, message);
export const limitExceeded = (message: string): IamError => new IamError("LimitExceeded", 409, message);
export const validationError = (message: string): IamError => new IamError("ValidationError", 400, message);
export const invalidInput = (message: string): IamError => new IamError("InvalidInput", 400, message);
export const malformedPolicy = (message: string): IamError => new IamError("MalformedPolicyDocument", 400, message);

// ---------------------------------------------------------------------------------------------
// Request parsing

export function parseForm(body: string): Params {
  const out: Params = {};
  for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  return out;
}

/** `Name.member.1`, `Name.member.2`, ... in index order. */
export function memberList(params: Params, name: string): string[] {
  const prefix = `${name}.member.`;
  const found: Array<[number, string]> = [];
  for (const [k, v] of Object.entries(params)) {
    if (!k.startsWith(prefix)) continue;
    const idx = Number(k.slice(prefix.length));
    if (Number.isInteger(idx)) found.push([idx, v]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** `Name.member.N.Field` structures in index order. */
export function memberStructs(params: Params, name: string): Array<Record<string, string>> {
  const prefix = `${name}.member.`;
  const byIdx = new Map<number, Record<string, string>>();
  for (const [k, v] of Object.entries(params)) {
    if (!k.startsWith(prefix)) continue;
    const rest = k.slice(prefix.length);
    const dot = rest.indexOf(".");
    if (dot < 0) continue;
    const idx = Number(rest.slice(0, dot));
    if (!Number.isInteger(idx)) continue;
    let s = byIdx.get(idx);
    if (!s) byIdx.set(idx, (s = {}));
    s[rest.slice(dot + 1)] = v;
  }
  return [...byIdx.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}

/** The access key id from a SigV4 `Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/...` header. */
export function accessKeyFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /Credential=([^/,\s]+)\//.exec(header);
  return m ? m[1] : undefined;
}

/** The region a SigV4 request was signed for: `Credential=AKID/20261202/<region>/iam/aws4_request`. */
export function signingRegionFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\//.exec(header);
  return m ? m[1] : undefined;
}

export function requireParam(params: Params, name: string): string {
  const v = params[name];
  if (v === undefined || v === "") {
    throw validationError(
      `1 validation error detected: Value null at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return v;
}

export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

// ---------------------------------------------------------------------------------------------
// XML writing

/** A list rendered as `<member>` children. */
export class XmlList {
  constructor(readonly items: XmlValue[]) {}
}
/** A string-to-string map rendered as `<entry><key/><value/></entry>` children. */
export class XmlMap {
  constructor(readonly entries: Array<[string, string]>) {}
}
/** Binary data, rendered base64-encoded (the SDK decodes blobs from base64). */
export class XmlBlob {
  constructor(readonly data: Buffer) {}
}
export type XmlValue = string | number | boolean | Date | XmlList | XmlMap | XmlBlob | XmlObject | undefined | null;
export interface XmlObject {
  [field: string]: XmlValue;
}

export const list = (items: XmlValue[]): XmlList => new XmlList(items);

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&apos;"));
}

/** ISO-8601 in the form IAM uses (UTC, seconds precision): 2024-05-01T12:00:00Z. */
export function isoDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function writeValue(out: string[], v: XmlValue): void {
  if (v === undefined || v === null) return;
  if (typeof v === "string") out.push(escapeXml(v));
  else if (typeof v === "number") out.push(String(v));
  else if (typeof v === "boolean") out.push(v ? "true" : "false");
  else if (v instanceof Date) out.push(isoDate(v));
  else if (v instanceof XmlBlob) out.push(v.data.toString("base64"));
  else if (v instanceof XmlList) {
    for (const item of v.items) {
      out.push("<member>");
      writeValue(out, item);
      out.push("</member>");
    }
  } else if (v instanceof XmlMap) {
    for (const [k, val] of v.entries) out.push(`<entry><key>${escapeXml(k)}</key><value>${escapeXml(val)}</value></entry>`);
  } else {
    writeObject(out, v);
  }
}

function writeObject(out: string[], obj: XmlObject): void {
  for (const [name, v] of Object.entries(obj)) {
    if (v === undefined || v === null) continue;
    out.push(`<${name}>`);
    writeValue(out, v);
    out.push(`</${name}>`);
  }
}

export function newRequestId(): string {
  return randomUUID();
}

/** `<XResponse><XResult>..</XResult><ResponseMetadata>..</ResponseMetadata></XResponse>`; no Result element when `result` is undefined. */
export function successXml(action: string, result: XmlObject | undefined, requestId: string): string {
  const out: string[] = [`<${action}Response xmlns="${IAM_XMLNS}">`];
  if (result !== undefined) {
    out.push(`<${action}Result>`);
    writeObject(out, result);
    out.push(`</${action}Result>`);
  }
  out.push(`<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`);
  return out.join("");
}

export function errorXml(err: IamError, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${IAM_XMLNS}"><Error><Type>${err.type}</Type><Code>${escapeXml(err.code)}</Code>` +
    `<Message>${escapeXml(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
