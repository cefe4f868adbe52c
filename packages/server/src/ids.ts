import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

let lastMs = 0;
let lastRandom: Uint8Array = new Uint8Array(10);

/**
 * A prefixed, time-ordered id (`int_01jd…`): 10 characters of millisecond time and 16 of
 * randomness, monotonic within one process, so ids sort by creation for cursor pagination.
 */
export function newId(prefix: string, nowMs: number = Date.now()): string {
  let random: Uint8Array;
  if (nowMs <= lastMs) {
    random = increment(lastRandom);
    nowMs = lastMs;
  } else {
    random = randomBytes(10);
  }
  lastMs = nowMs;
  lastRandom = random;
  return `${prefix}_${encodeTime(nowMs)}${encodeRandom(random)}`;
}

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = "";
  for (let i = 0; i < 16; i++) {
    out = ALPHABET[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return out;
}

function increment(bytes: Uint8Array): Uint8Array {
  const next = Uint8Array.from(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i] === 255) {
      next[i] = 0;
    } else {
      next[i] = (next[i] ?? 0) + 1;
      break;
    }
  }
  return next;
}
