// `npm run emulator -- [--port N] [--seed-demo] [--max-page-size N] [--latency-ms N] [--seed N]`
//
// Starts the IAM emulator on 127.0.0.1, prints its endpoint and how to point the AWS SDK or CLI
// at it, and stops cleanly on SIGINT / SIGTERM.

import { type EmulatorOptions, startEmulator } from "./index";

const USAGE = `usage: npm run emulator -- [options]
  --port N            listen on port N (default: a free port)
  --seed-demo         seed a demo user 'demo-user' with one of every dependency kind
  --max-page-size N   cap every List call's page size at N
  --latency-ms N      add N ms of latency to every call
  --seed N            PRNG seed for generated ids and random faults
  --help              show this help`;

function parseArgs(argv: string[]): { options: EmulatorOptions; seedDemo: boolean } {
  const options: EmulatorOptions = {};
  let seedDemo = false;
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--port":
        options.port = num(flag, value());
        break;
      case "--seed-demo":
        seedDemo = true;
        break;
      case "--max-page-size":
        options.maxPageSize = num(flag, value());
        break;
      case "--latency-ms":
        options.latencyMs = num(flag, value());
        break;
      case "--seed":
        options.seed = num(flag, value());
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  return { options, seedDemo };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const emu = await startEmulator(parsed.options);
  if (parsed.seedDemo) {
    const r = emu.seed({
      users: [
        {
          userName: "demo-user",
          tags: { team: "demo" },
          loginProfile: true,
          accessKeys: 2,
          sshKeys: 1,
          signingCertificates: 1,
          serviceCredentials: ["codecommit.amazonaws.com", "bedrock.amazonaws.com"],
          virtualMfa: ["demo-user-phone"],
          hardwareMfa: ["GAHT12345678"],
          fidoMfa: 1,
          groups: ["demo-group"],
          inlinePolicies: ["demo-inline"],
          managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "demo-managed"],
        },
      ],
      unassignedVirtualMfa: ["orphaned-device"],
    });
    console.log(`seeded demo-user (${r.users["demo-user"].userId}) with one of every dependency kind`);
  }
  console.log(`IAM emulator listening on ${emu.endpoint} (account ${emu.accountId})`);
  console.log("Point the AWS SDK or CLI at it with:");
  console.log(`  export AWS_ENDPOINT_URL_IAM=${emu.endpoint}`);
  console.log("  export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test");
  console.log("Stop with Ctrl-C.");

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping after ${emu.requestCount} requests`);
    emu.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

void main();
