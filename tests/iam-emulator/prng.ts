// A small seeded PRNG (mulberry32): the same seed gives the same sequence, so a failing run with
// random faults or generated ids can be replayed exactly.

export type Random = () => number;

export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function randomString(rand: Random, length: number, alphabet: string): string {
  let s = "";
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

/** IAM-style unique ids ('AIDA' + 17 chars for users, 'AKIA' + 16 for access keys, ...), never repeated. */
export class IdGenerator {
  private readonly used = new Set<string>();
  constructor(private readonly rand: Random) {}

  id(prefix: string, length: number, alphabet = UPPER_ALNUM): string {
    for (;;) {
      const id = prefix + randomString(this.rand, length, alphabet);
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }

  secret(length = 40): string {
    return randomString(this.rand, length, SECRET_CHARS);
  }

  hex(length: number): string {
    return randomString(this.rand, length, "0123456789abcdef");
  }
}
