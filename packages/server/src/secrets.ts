import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hash,
  randomBytes,
  randomFillSync,
  timingSafeEqual,
} from "node:crypto";

/** GCM's authentication tag: the last 16 bytes of a sealed body. */
const TAG_LENGTH = 16;

/**
 * Encryption at rest for credentials and secrets: AES-256-GCM, every value tagged with the id of
 * the key that sealed it, so that keys can be rotated (`RELINK_PREVIOUS_ENCRYPTION_KEYS` still
 * opens old values while `reencrypt` moves them to the current key).
 */
export class SecretBox {
  readonly #current: { id: string; key: Buffer };
  readonly #keys = new Map<string, Buffer>();
  /**
   * Random IVs drawn from the CSPRNG a pool at a time: one `randomBytes` call per seal costs about
   * as much as a third of the seal itself, and the scheduler seals every synced record.
   */
  readonly #ivPool = Buffer.alloc(12 * 1024);
  #ivOffset = this.#ivPool.length;

  constructor(currentKeyBase64: string, previousKeysBase64: readonly string[] = []) {
    const current = Buffer.from(currentKeyBase64, "base64");
    if (current.length !== 32) throw new TypeError("the encryption key must be 32 bytes");
    this.#current = { id: keyId(current), key: current };
    this.#keys.set(this.#current.id, current);
    for (const previous of previousKeysBase64) {
      const key = Buffer.from(previous, "base64");
      if (key.length !== 32) throw new TypeError("every previous encryption key must be 32 bytes");
      this.#keys.set(keyId(key), key);
    }
  }

  get keyId(): string {
    return this.#current.id;
  }

  /** Seals a string: `v1.<key id>.<iv>.<ciphertext and tag>`, base64url parts. */
  seal(plaintext: string, associatedData = ""): string {
    if (this.#ivOffset === this.#ivPool.length) {
      randomFillSync(this.#ivPool);
      this.#ivOffset = 0;
    }
    // Copied by `createCipheriv` and written out below, before the pool is refilled.
    const iv = this.#ivPool.subarray(this.#ivOffset, this.#ivOffset + 12);
    this.#ivOffset += 12;
    const cipher = createCipheriv("aes-256-gcm", this.#current.key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `v1.${this.#current.id}.${iv.toString("base64url")}.${body.toString("base64url")}`;
  }

  /**
   * Opens a sealed string. Called once per record of a records page (100 a page): the parts are
   * found by position rather than split into an array, the tag and ciphertext are views of the one
   * decoded body, and the plaintext is GCM's single `update` output (its `final` checks the tag and
   * adds nothing), not a concatenation.
   */
  open(sealed: string, associatedData = ""): string {
    const kidAt = sealed.indexOf(".") + 1;
    const ivAt = sealed.indexOf(".", kidAt) + 1;
    const bodyAt = sealed.indexOf(".", ivAt) + 1;
    if (
      kidAt !== 3 ||
      !sealed.startsWith("v1.") ||
      ivAt <= kidAt + 1 ||
      bodyAt <= ivAt + 1 ||
      bodyAt === sealed.length ||
      sealed.includes(".", bodyAt)
    ) {
      throw new SecretBoxError("not a sealed value");
    }
    const kid = sealed.slice(kidAt, ivAt - 1);
    const key = this.#keys.get(kid);
    if (!key)
      throw new SecretBoxError(`sealed with unknown key ${kid}; add it to RELINK_PREVIOUS_ENCRYPTION_KEYS`);
    const body = Buffer.from(sealed.slice(bodyAt), "base64url");
    if (body.length < TAG_LENGTH) throw new SecretBoxError("not a sealed value");
    const decipher = createDecipheriv(
      "aes-256-gcm",
      key,
      Buffer.from(sealed.slice(ivAt, bodyAt - 1), "base64url"),
      {
        authTagLength: TAG_LENGTH,
      },
    );
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(body.subarray(body.length - TAG_LENGTH));
    try {
      const plaintext = decipher.update(body.subarray(0, body.length - TAG_LENGTH));
      decipher.final();
      return plaintext.toString("utf8");
    } catch {
      throw new SecretBoxError("the sealed value was tampered with or the key is wrong");
    }
  }

  sealJson(value: unknown, associatedData = ""): string {
    return this.seal(JSON.stringify(value), associatedData);
  }

  openJson<T>(sealed: string, associatedData = ""): T {
    return JSON.parse(this.open(sealed, associatedData)) as T;
  }

  /** True when the value was sealed with an older key and should be re-sealed. */
  isStale(sealed: string): boolean {
    return sealed.split(".")[1] !== this.#current.id;
  }
}

export class SecretBoxError extends Error {
  override name = "SecretBoxError";
}

function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

export function generateEncryptionKey(): string {
  return randomBytes(32).toString("base64");
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** A random token with a readable prefix, e.g. `rlk_…` for API keys. */
export function randomToken(prefix: string, bytes = 24): string {
  const raw = randomBytes(bytes);
  let out = "";
  for (const b of raw) out += BASE32[b & 31];
  return `${prefix}_${out}${randomBytes(8).toString("hex")}`;
}

/** API keys are stored as SHA-256 hashes: they are long and random, so a slow hash adds nothing. */
export function hashToken(token: string): string {
  return hash("sha256", token, "hex");
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
