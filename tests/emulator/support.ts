// Shared helpers for the emulator's own tests.

import { strict as assert } from "node:assert";
import { makeSshPublicKeyBody } from "../iam-emulator/state";

export const ACCOUNT = "123456789012";

interface SdkError {
  name: string;
  message: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Asserts the promise rejects with this IAM error code (and HTTP status, and message when given). */
export async function expectIamError(p: Promise<unknown>, code: string, status?: number, message?: string | RegExp): Promise<SdkError> {
  let caught: SdkError | undefined;
  try {
    await p;
  } catch (e) {
    caught = e as SdkError;
  }
  assert.ok(caught, `expected ${code}, but the call succeeded`);
  const actual = caught.Code ?? caught.name;
  assert.equal(actual, code, `expected ${code}, got ${actual}: ${caught.message}`);
  if (status !== undefined) assert.equal(caught.$metadata?.httpStatusCode, status, `HTTP status for ${code}`);
  if (typeof message === "string") assert.equal(caught.message, message);
  else if (message) assert.match(caught.message, message);
  return caught;
}

export interface RawAnswer {
  status: number;
  body: string;
  headers: Headers;
}

/** A hand-made Query-protocol call, for checking the wire format itself. */
export async function rawCall(endpoint: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const res = await fetch(`${endpoint}/`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", ...headers },
    body: new URLSearchParams({ Version: "2010-05-08", ...params }).toString(),
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A structurally valid OpenSSH RSA public key line, distinct for each n. */
export const SSH_KEY = (n: number) => makeSshPublicKeyBody(Buffer.alloc(256, n + 1), `user${n}@example`);

/** Self-signed test certificates (P-256, no private key kept): IAM parses signing certificates as X.509. */
export const TEST_CERTIFICATES = [
  `-----BEGIN CERTIFICATE-----
MIIBkjCCATmgAwIBAgIUTfjk73xTrD7OK5O3Jeh0kajd6eowCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTaWFtLWVtdWxhdG9yLXRlc3QtMTAgFw0yNjExMjgxNTI5NTBa
GA8yMTI2MTEwNDE1Mjk1MFowHjEcMBoGA1UEAwwTaWFtLWVtdWxhdG9yLXRlc3Qt
MTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABOyiAYTU1wOY0WtVLlLcwscqkyX0
a7HmZk4QnhRywfPaAPn6yE7j35T8GdkUknLFQXkn5QQAPjW9LljMBMRveMKjUzBR
MB0GA1UdDgQWBBQoOp/bGnXEqcn+Sb0TYLdSF2Pz/TAfBgNVHSMEGDAWgBQoOp/b
GnXEqcn+Sb0TYLdSF2Pz/TAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cA
MEQCIAmQQCbLwTSCHlE2feQwcrV2ADsivcj2n3NcWu3whWn6AiAvsVDBChCGHNXB
xhEb45hiq7w3i+VRj48nKJVKB0ElVg==
-----END CERTIFICATE-----`,
  `-----BEGIN CERTIFICATE-----
MIIBkzCCATmgAwIBAgIUTJK/HSWj9JgxvIYwOpjYZxy6t64wCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTaWFtLWVtdWxhdG9yLXRlc3QtMjAgFw0yNjExMjgxNTI5NTBa
GA8yMTI2MTEwNDE1Mjk1MFowHjEcMBoGA1UEAwwTaWFtLWVtdWxhdG9yLXRlc3Qt
MjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABMfMfWjejJSeWR/CSLm0J00W6cBO
2UevN/QjfwvYsyFsbxQ1w+uW4d9qt8A6OfLBDPirxEnn2lw2P/MCXg0sQPOjUzBR
MB0GA1UdDgQWBBRvdZSWMlbmAg9GriyBpcCwF8IvsjAfBgNVHSMEGDAWgBRvdZSW
MlbmAg9GriyBpcCwF8IvsjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gA
MEUCIQDpf+vAOFhZNGtjdwFFj3Y61C4LQlEzOn01TEfPTarGBwIgUzY6XVoO0Vpc
zMGnZ7gvlFf7oTqdSshB8yuaNU5EDz8=
-----END CERTIFICATE-----`,
  `-----BEGIN CERTIFICATE-----
MIIBkzCCATmgAwIBAgIUTeGoI+yHsfWJdAiC+Blmt/N9A8QwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTaWFtLWVtdWxhdG9yLXRlc3QtMzAgFw0yNjExMjgxNTI5NTBa
GA8yMTI2MTEwNDE1Mjk1MFowHjEcMBoGA1UEAwwTaWFtLWVtdWxhdG9yLXRlc3Qt
MzBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABDJxCS5l8HxujHcaANaww/NurvoU
MX4ddwXddeYbK2P1b8iCeD35BsKmfRU/h/ACbedzpVJGd0YgIv3Gf1wMeGyjUzBR
MB0GA1UdDgQWBBQQl2X32TQn78lU7YhI1nsXJGOkQTAfBgNVHSMEGDAWgBQQl2X3
2TQn78lU7YhI1nsXJGOkQTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gA
MEUCIQCA1UJ4EHso3ipRKmqNrr9JQASQgi8E8RJ24/+kBiPKnAIgBDZzl0ZLhMwc
2L21rM2zQI1Qctzaf/Z3dgiUBt6K7uk=
-----END CERTIFICATE-----`,
];
export const CERT = (n: number) => TEST_CERTIFICATES[(n - 1) % TEST_CERTIFICATES.length];
export const POLICY_DOC = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
});
