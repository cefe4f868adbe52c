import { randomFillSync } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

/** The last id made per prefix: ids of one prefix are monotonic within a process. */
const last = new Map<string, { ms: number; random: Uint8Array }>();

/**
 * A prefixed, time-ordered id (`int_01jd…`): 10 characters of millisecond time and 16 of
 * randomness, monotonic per prefix within one process, so ids sort by creation for cursor
 * pagination, and "created before t" is an id range (`idFloor`). Pass the clock's time where the
 * domain has one, so the id's time is the record's.
 */
export function newId(prefix: string, nowMs: number = Date.now()): string {
  const previous = last.get(prefix);
  let random: Uint8Array;
  if (previous && nowMs <= previous.ms) {
    random = increment(previous.random);
    nowMs = previous.ms;
  } else {
    random = randomTen();
  }
  last.set(prefix, { ms: nowMs, random });
  return `${prefix}_${encodeTime(nowMs)}${encodeRandom(random)}`;
}

/**
 * The ids' random bits, drawn from the CSPRNG a pool at a time: one `randomBytes` call per id cost
 * more than making the rest of the id. Each id gets a copy (the last one per prefix is kept and
 * incremented, while the pool is refilled under it).
 */
const pool = Buffer.alloc(10 * 256);
let poolAt = pool.length;
function randomTen(): Uint8Array {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const bytes = Uint8Array.prototype.slice.call(pool, poolAt, poolAt + 10);
  poolAt += 10;
  return bytes;
}

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/** 80 bits as 16 characters, in two halves of 40 bits (exact in a double; no BigInt per id). */
export function encodeRandom(bytes: Uint8Array): string {
  return encode40(bytes, 0) + encode40(bytes, 5);
}

function encode40(bytes: Uint8Array, from: number): string {
  let bits = 0;
  for (let i = from; i < from + 5; i++) bits = bits * 256 + (bytes[i] ?? 0);
  let out = "";
  for (let i = 0; i < 8; i++) {
    out = ALPHABET[bits % 32] + out;
    bits = Math.floor(bits / 32);
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

/**
 * The smallest id `newId(prefix, ms)` can make: every id of that prefix created before `ms` sorts
 * below it (a primary-key range for "older than").
 */
export function idFloor(prefix: string, ms: number): string {
  return `${prefix}_${encodeTime(Math.max(0, Math.floor(ms)))}${"0".repeat(16)}`;
}
