/**
 * Settings that are secrets (a webhook's HMAC key, an SMTP password, a Slack webhook URL) are kept in the store
 * sealed with AES-256-GCM under a key that never enters the store: `<data dir>/secret.key` (32 random bytes, mode
 * 0600, made on first start). A dump of the database (SQLite file, PostgreSQL backup) then holds no usable secret.
 * A sealed value is `sealed:v1:<base64url of iv | tag | ciphertext>`; anything else is a value from before sealing
 * and is read as it is.
 */

import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { SlipwayError } from "./errors";

const prefix = "sealed:v1:";
const keyBytes = 32;
const ivBytes = 12;
const tagBytes = 16;

export class SecretBox {
  private constructor(
    private readonly key: Buffer,
    private readonly keyFile: string,
  ) {}

  /** The key in `file`, made (0600) when there is none yet. */
  static fromKeyFile(file: string): SecretBox {
    try {
      writeFileSync(file, randomBytes(keyBytes), { flag: "wx", mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new SlipwayError("CONFIG_INVALID", `cannot create the secret key ${file}: ${(error as Error).message}`);
    }
    const key = readFileSync(file);
    if (key.length !== keyBytes) throw new SlipwayError("CONFIG_INVALID", `${file} is not a slipway secret key (${keyBytes} bytes, it has ${key.length}): restore it from a backup, or remove it and set the channels' secrets again`);
    chmodSync(file, 0o600);
    return new SecretBox(key, file);
  }

  /** A key held in memory only (tests, `slipway run`). */
  static ephemeral(): SecretBox {
    return new SecretBox(randomBytes(keyBytes), "(in memory)");
  }

  static isSealed(value: string): boolean {
    return value.startsWith(prefix);
  }

  seal(plain: string): string {
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const sealed = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return `${prefix}${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url")}`;
  }

  /** The plain value; a value that was never sealed comes back as it is. */
  open(value: string): string {
    if (!SecretBox.isSealed(value)) return value;
    const bytes = Buffer.from(value.slice(prefix.length), "base64url");
    try {
      if (bytes.length < ivBytes + tagBytes) throw new Error("too short");
      const decipher = createDecipheriv("aes-256-gcm", this.key, bytes.subarray(0, ivBytes));
      decipher.setAuthTag(bytes.subarray(ivBytes, ivBytes + tagBytes));
      return Buffer.concat([decipher.update(bytes.subarray(ivBytes + tagBytes)), decipher.final()]).toString("utf8");
    } catch {
      throw new SlipwayError("CONFIG_INVALID", `a secret setting was sealed with another key than ${this.keyFile} (was the key replaced?): set it again`);
    }
  }
}
