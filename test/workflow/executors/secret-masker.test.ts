/** SecretMasker: plain, multi-line, base64 (at every byte offset), URL- and JSON-encoded secrets. */

import { describe, expect, test } from "vitest";
import { SecretMasker, base64Forms } from "../../../src/workflow/executors/host/secret-masker";

function maskerWith(...secrets: string[]): SecretMasker {
  const masker = new SecretMasker();
  for (const secret of secrets) masker.add(secret);
  return masker;
}

describe("SecretMasker", () => {
  test("masks every occurrence of a plain secret", () => {
    expect(maskerWith("hunter2").mask("pw=hunter2 again hunter2.")).toBe("pw=*** again ***.");
  });

  test("leaves text alone when there are no secrets or no matches", () => {
    expect(new SecretMasker().mask("nothing here")).toBe("nothing here");
    expect(maskerWith("zzz-top").mask("nothing here")).toBe("nothing here");
  });

  test("ignores empty secrets", () => {
    const masker = maskerWith("");
    expect(masker.size).toBe(0);
    expect(masker.mask("abc")).toBe("abc");
  });

  test("masks regular-expression characters literally", () => {
    expect(maskerWith("a.b*c(d)[e]$^|\\").mask("x a.b*c(d)[e]$^|\\ y aXbbc")).toBe("x *** y aXbbc");
  });

  test("masks a multi-line secret whole and line by line", () => {
    const key = "-----BEGIN KEY-----\r\nMIIEvQIBADANBgkq\nhkiG9w0BAQEFAASC\n-----END KEY-----";
    const masker = maskerWith(key);
    expect(masker.mask(`key: ${key}`)).toBe("key: ***");
    expect(masker.mask("line two is hkiG9w0BAQEFAASC alone")).toBe("line two is *** alone");
    expect(masker.mask("-----BEGIN KEY-----")).toBe("***");
  });

  test("masks the longest match first", () => {
    const masker = maskerWith("abc", "abcdef");
    expect(masker.mask("abcdef abc")).toBe("*** ***");
  });

  test("masks the URL-encoded form", () => {
    const secret = "p@ss w/rd&more";
    const masker = maskerWith(secret);
    expect(masker.mask(`https://x.test/?token=${encodeURIComponent(secret)}`)).toBe("https://x.test/?token=***");
  });

  test("masks the JSON-escaped form", () => {
    const secret = 'quote"back\\slash';
    expect(maskerWith(secret).mask(JSON.stringify({ secret }))).toBe('{"secret":"***"}');
  });

  test("masks the plain base64 form", () => {
    const secret = "my-super-secret-token";
    const encoded = Buffer.from(secret).toString("base64");
    expect(maskerWith(secret).mask(`Authorization: Basic ${encoded}`)).toBe("Authorization: Basic ***");
  });

  test.each([0, 1, 2, 3, 4, 5])("masks the secret inside a larger base64 string (%i bytes before it)", (prefixLength) => {
    const secret = "correct-horse-battery-staple";
    const masker = maskerWith(secret);
    for (const suffix of ["", "x", "xy", "xyz"]) {
      const embedded = Buffer.from(`${"p".repeat(prefixLength)}${secret}${suffix}`).toString("base64");
      const masked = masker.mask(embedded);
      expect(masked).toContain("***");
      // What is left can only be the characters shaped by the neighbours: at most 2 before and 1 after the secret's part.
      const leftover = masked.replace("***", "").replace(/=+$/, "");
      const neighbourChars = Math.ceil((prefixLength * 4) / 3) + 2 + Math.ceil((suffix.length * 4) / 3) + 1;
      expect(leftover.length).toBeLessThanOrEqual(neighbourChars);
    }
  });

  test("base64Forms gives the standard form and one form per byte offset", () => {
    const forms = base64Forms("secret");
    expect(forms[0]).toBe(Buffer.from("secret").toString("base64"));
    expect(forms).toHaveLength(4);
    for (const [offset, form] of forms.slice(1).entries()) {
      const encoded = Buffer.from(`${"\0".repeat(offset)}secret and more`).toString("base64");
      expect(encoded).toContain(form);
    }
  });

  test("a secret added later masks later text", () => {
    const masker = new SecretMasker();
    expect(masker.mask("token-1")).toBe("token-1");
    masker.add("token-1");
    expect(masker.mask("token-1")).toBe("***");
  });
});
