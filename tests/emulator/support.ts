// Shared helpers for the emulator's own tests.

import { strict as assert } from 'node:assert';
import { IAMClient } from '@aws-sdk/client-iam';
import { Emulator, EmulatorOptions, startEmulator } from '../iam-emulator';

export const ACCOUNT = '123456789012';

/** An SDK client as any consumer would build it; maxAttempts 1 by default so tests see every answer as it is. */
export function clientFor(endpoint: string, opts: { accessKeyId?: string; maxAttempts?: number } = {}): IAMClient {
  return new IAMClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: opts.accessKeyId ?? 'x', secretAccessKey: 'y' },
    maxAttempts: opts.maxAttempts ?? 1,
  });
}

/** Starts an emulator before the suite, stops it after; `fresh()` replaces it (for tests that need a clean account). */
export function useEmulator(options: EmulatorOptions = {}): {
  readonly emu: Emulator;
  readonly iam: IAMClient;
  fresh(extra?: EmulatorOptions): Promise<void>;
} {
  let emu: Emulator | undefined;
  let iam: IAMClient | undefined;
  const start = async (extra: EmulatorOptions = {}) => {
    await emu?.stop();
    iam?.destroy();
    emu = await startEmulator({ port: 0, ...options, ...extra });
    iam = clientFor(emu.endpoint);
  };
  before(() => start());
  after(async () => {
    iam?.destroy();
    await emu?.stop();
  });
  return {
    get emu() {
      return emu!;
    },
    get iam() {
      return iam!;
    },
    fresh: start,
  };
}

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
  if (typeof message === 'string') assert.equal(caught.message, message);
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
  const res = await fetch(endpoint + '/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers },
    body: new URLSearchParams({ Version: '2010-05-08', ...params }).toString(),
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const SSH_KEY = (n: number) =>
  `ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC${'x'.repeat(40)}${n} user${n}@example`;
export const CERT = (n: number) => `-----BEGIN CERTIFICATE-----\nMIIC${'A'.repeat(60)}${n}\n-----END CERTIFICATE-----`;
export const POLICY_DOC = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
