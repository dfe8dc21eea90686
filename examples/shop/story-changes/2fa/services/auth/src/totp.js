// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, SHA-1, 6 digits, 30 s steps) and backup codes.
import { createHmac, randomBytes } from "node:crypto";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function base32Encode(bytes) {
  let bits = "";
  for (const byte of bytes) bits += byte.toString(2).padStart(8, "0");
  let text = "";
  for (let i = 0; i < bits.length; i += 5) text += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, "0"), 2)];
  return text;
}

export function base32Decode(text) {
  let bits = "";
  for (const char of text.replace(/=+$/, "").toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    bits += value.toString(2).padStart(5, "0");
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

export function hotp(key, counter, digits = 6) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac("sha1", key).update(message).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const code = (digest.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(code).padStart(digits, "0");
}

export function totp(secret, now = Date.now(), step = 30) {
  return hotp(base32Decode(secret), Math.floor(now / 1000 / step));
}

/** Accepts the current code and the one just before or after it (clock drift). */
export function verifyTotp(secret, code, now = Date.now()) {
  return [-1, 0, 1].some((drift) => totp(secret, now + drift * 30_000) === code);
}

export function newSecret() {
  return base32Encode(randomBytes(20));
}

export function backupCodes(count = 8) {
  return Array.from({ length: count }, () => randomBytes(5).toString("hex"));
}

export function otpauthUrl(user, secret) {
  return `otpauth://totp/slipway-shop:${encodeURIComponent(user)}?secret=${secret}&issuer=slipway-shop`;
}
