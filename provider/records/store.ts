import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ListObjectsV2CommandOutput, S3Client } from "@aws-sdk/client-s3";
import { RECORD_VERSION, type RecordWriter, recordName, type UserRecord } from "../teardown/record";

/**
 * The S3 actions records need, next to the calls that make them (the shipped per-job policies grant exactly these):
 * a delete writes the user's record (conditionally) and reads it back only when one was there (a rerun keeps the
 * first); a restore lists and reads.
 */
export const S3_RECORD_ACTIONS = {
  write: ["s3:GetObject", "s3:PutObject"],
  restore: ["s3:GetObject", "s3:ListBucket"],
} as const;

/** Where records are kept: a directory, or an S3 prefix. Text in, text out; what a record means is record.ts's. */
export interface RecordStore {
  readonly location: string;
  /** The stored text, or undefined when there is none under the name. */
  read(name: string): Promise<string | undefined>;
  /** Resolves once the text is durably stored (fsynced and renamed; acknowledged by S3). */
  write(name: string, text: string): Promise<void>;
  /**
   * Stores the text only if nothing is stored under the name, in one step no other writer can come between (a link
   * that refuses an existing name; S3's conditional PutObject): true when stored, false when something was there.
   */
  writeIfAbsent(name: string, text: string): Promise<boolean>;
}

/** A directory: each record is written to a temporary name beside it, fsynced, then renamed over the final name. */
export class DirectoryStore implements RecordStore {
  readonly location: string;

  constructor(private readonly dir: string) {
    this.location = `directory ${dir}`;
  }

  async read(name: string): Promise<string | undefined> {
    try {
      return await fs.promises.readFile(path.join(this.dir, name), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  write(name: string, text: string): Promise<void> {
    // rename replaces the final name in one step: a reader sees the old record or the new one, never part of one.
    return this.place(name, text, async (temporary, final) => {
      await fs.promises.rename(temporary, final);
      return true;
    }).then(() => undefined);
  }

  writeIfAbsent(name: string, text: string): Promise<boolean> {
    // link refuses an existing name (EEXIST): of two runs at once, one record wins and the other learns it.
    return this.place(name, text, async (temporary, final) => {
      try {
        await fs.promises.link(temporary, final);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw err;
      }
    });
  }

  /** Writes the text to a temporary name beside the final one, fsyncs it, puts it in place, syncs the directory. */
  private async place(name: string, text: string, put: (temporary: string, final: string) => Promise<boolean>): Promise<boolean> {
    const final = path.join(this.dir, name);
    const folder = path.dirname(final);
    await fs.promises.mkdir(folder, { recursive: true });
    const temporary = `${final}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    const file = await fs.promises.open(temporary, "wx", 0o600);
    try {
      await file.writeFile(text, "utf8");
      await file.sync();
    } finally {
      await file.close();
    }
    let placed: boolean;
    try {
      placed = await put(temporary, final);
    } finally {
      // After a rename the temporary name is gone already; after a link (or a failure) it is removed here.
      await fs.promises.rm(temporary, { force: true });
    }
    // The new name is durable once the directory is synced.
    const dirHandle = await fs.promises.open(folder, "r");
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    return placed;
  }
}

export interface S3Location {
  bucket: string;
  /** Empty, or ending in "/". */
  prefix: string;
}

/** s3://bucket/prefix/ as bucket and prefix; undefined for anything else. */
export function parseS3Url(url: string): S3Location | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) return undefined;
  const rest = m[2] ?? "";
  return { bucket: m[1], prefix: rest === "" || rest.endsWith("/") ? rest : `${rest}/` };
}

export interface S3StoreOptions {
  /** A role to assume for the records' bucket (often in another account); else the SDK's default chain. */
  roleArn?: string;
  region?: string;
}

/**
 * An S3 prefix, one object per user. The client is the SDK's own: default credential chain (or the role), region
 * from the environment or profile (us-east-1 when none; S3 redirects to the bucket's own), endpoint from
 * AWS_ENDPOINT_URL_S3 (path-style addressing then, as S3-compatible servers expect).
 */
export class S3Store implements RecordStore {
  readonly location: string;
  private readonly s3: S3Client;

  constructor(
    private readonly where: S3Location,
    options: S3StoreOptions = {},
  ) {
    this.location = `s3://${where.bucket}/${where.prefix}`;
    const customEndpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    this.s3 = new (s3Sdk().S3Client)({
      region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
      followRegionRedirects: true,
      ...(customEndpoint ? { forcePathStyle: true } : {}),
      ...(options.roleArn ? { credentials: assumedRole(options.roleArn) } : {}),
    });
  }

  async read(name: string): Promise<string | undefined> {
    try {
      const out = await this.s3.send(new (s3Sdk().GetObjectCommand)({ Bucket: this.where.bucket, Key: this.where.prefix + name }));
      return await out.Body!.transformToString("utf8");
    } catch (err) {
      const code = (err as { name?: string }).name;
      if (code === "NoSuchKey" || code === "NotFound") return undefined;
      throw err;
    }
  }

  async write(name: string, text: string): Promise<void> {
    await this.s3.send(
      new (s3Sdk().PutObjectCommand)({
        Bucket: this.where.bucket,
        Key: this.where.prefix + name,
        Body: text,
        ContentType: "application/json",
      }),
    );
  }

  async writeIfAbsent(name: string, text: string): Promise<boolean> {
    try {
      await this.s3.send(
        new (s3Sdk().PutObjectCommand)({
          Bucket: this.where.bucket,
          Key: this.where.prefix + name,
          Body: text,
          ContentType: "application/json",
          // S3's conditional write: refused (412) when an object is there, so the first record is never replaced.
          IfNoneMatch: "*",
        }),
      );
      return true;
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === "PreconditionFailed" || e.$metadata?.httpStatusCode === 412) return false;
      throw err;
    }
  }

  /** The names of every record under the prefix (for restore). */
  async names(): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await this.s3.send(
        new (s3Sdk().ListObjectsV2Command)({ Bucket: this.where.bucket, Prefix: this.where.prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key?.endsWith(".json")) names.push(o.Key.slice(this.where.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return names.sort();
  }
}

function assumedRole(roleArn: string) {
  // Loaded only when a role is asked for, as the IAM client does.
  const providers = require("@aws-sdk/credential-providers") as typeof import("@aws-sdk/credential-providers");
  return providers.fromTemporaryCredentials({ params: { RoleArn: roleArn, RoleSessionName: "iam-user-teardown-records" } });
}

/** A directory path or s3://bucket/prefix/ as a store. */
export function storeFor(location: string, options: S3StoreOptions = {}): RecordStore {
  if (location.startsWith("s3://")) {
    const s3 = parseS3Url(location);
    if (!s3) throw new Error(`${JSON.stringify(location)} is not an S3 location of the form s3://bucket/prefix/`);
    return new S3Store(s3, options);
  }
  return new DirectoryStore(location);
}

/** Parses and checks a stored record; throws saying what is wrong with it. */
export function parseRecord(text: string, source: string): UserRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source} is not JSON: ${(err as Error).message}`);
  }
  const record = value as Partial<UserRecord>;
  if (record?.recordVersion !== RECORD_VERSION)
    throw new Error(
      `${source} is not a user record this version reads (recordVersion ${JSON.stringify(record?.recordVersion)}, expected ${RECORD_VERSION})`,
    );
  if (!record.user?.userName || !record.user.userId || !record.accountId || typeof record.items !== "object")
    throw new Error(`${source} lacks the user, its account or its items`);
  return record as UserRecord;
}

/** Records written to a store: the first "before" part of a user is kept, the teardown part added to it. */
export class StoreRecordWriter implements RecordWriter {
  readonly location: string;

  constructor(private readonly store: RecordStore) {
    this.location = store.location;
  }

  /**
   * One conditional write when the user has no record yet (the common case); when it has one, that record is read
   * and kept. Nothing is read first: where an object does not exist, S3 answers a reader without s3:ListBucket 403,
   * not 404, and the write alone settles which record is first.
   */
  async keepBefore(record: UserRecord): Promise<UserRecord> {
    const name = recordName(record.accountId, record.user.userId);
    if (await this.store.writeIfAbsent(name, serialize(record))) return record;
    const where = `${this.location}${this.location.startsWith("s3://") ? "" : "/"}${name}`;
    const stored = await this.store.read(name);
    if (stored === undefined) throw new Error(`${where} exists, yet could not be read back`);
    const earlier = parseRecord(stored, where);
    if (earlier.user.userId !== record.user.userId || earlier.accountId !== record.accountId)
      throw new Error(`${where} is the record of another user (${earlier.accountId} ${earlier.user.userId})`);
    return earlier;
  }

  async complete(record: UserRecord): Promise<void> {
    await this.store.write(recordName(record.accountId, record.user.userId), serialize(record));
  }
}

const serialize = (record: UserRecord): string => `${JSON.stringify(record, null, 2)}\n`;

/** A writer for `--record DIR|s3://bucket/prefix/` (and the resource's `record` input). */
export const recordWriterFor = (location: string, options: S3StoreOptions = {}): RecordWriter =>
  new StoreRecordWriter(storeFor(location, options));

/** The records a restore reads: files, directories (every *.json under them) and S3 prefixes, each with its source. */
export async function readRecords(
  sources: readonly string[],
  options: S3StoreOptions = {},
): Promise<Array<{ source: string; record: UserRecord }>> {
  const found: Array<{ source: string; record: UserRecord }> = [];
  for (const source of sources) {
    if (source.startsWith("s3://")) {
      const s3 = parseS3Url(source);
      if (!s3) throw new Error(`${JSON.stringify(source)} is not an S3 location of the form s3://bucket/prefix/`);
      const store = new S3Store(s3, options);
      const names = await store.names();
      if (names.length === 0) throw new Error(`${store.location} holds no record`);
      for (const name of names) {
        const where = `${store.location}${name}`;
        found.push({ source: where, record: parseRecord((await store.read(name)) ?? "", where) });
      }
      continue;
    }
    for (const file of await jsonFilesAt(source))
      found.push({ source: file, record: parseRecord(await fs.promises.readFile(file, "utf8"), file) });
  }
  return found;
}

async function jsonFilesAt(p: string): Promise<string[]> {
  const stat = await fs.promises.stat(p);
  if (!stat.isDirectory()) return [p];
  const entries = await fs.promises.readdir(p, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && e.name.endsWith(".json")).map((e) => path.join(e.parentPath, e.name));
  if (files.length === 0) throw new Error(`${p} holds no record`);
  return files.sort();
}

/** The S3 SDK, loaded when a record goes to or comes from S3: a run without one does not hold its code. */
function s3Sdk(): typeof import("@aws-sdk/client-s3") {
  return require("@aws-sdk/client-s3");
}
