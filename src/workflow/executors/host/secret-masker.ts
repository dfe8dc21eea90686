/** Replaces secrets in log text with `***`: the values, each line of multi-line values, and their common encodings. */

export const maskReplacement = "***";

/** Encoded forms shorter than this would mask ordinary text; the raw value is masked at any length. */
const minEncodedLength = 4;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The base64 text a value produces wherever it sits inside a larger base64 string: for each of the three
 * byte offsets, encode behind that many filler bytes and drop the characters the neighbours also shape.
 */
export function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const forms = [bytes.toString("base64")];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64").replace(/=+$/, "");
    // Characters 0..leading-1 carry filler bits; a trailing partial group's last character carries bits of what follows.
    const leading = offset === 0 ? 0 : offset + 1;
    const trailing = (offset + bytes.length) % 3 === 0 ? 0 : 1;
    const form = encoded.slice(leading, encoded.length - trailing);
    if (form.length > 0) forms.push(form);
  }
  return forms;
}

export class SecretMasker {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  /** Registers a secret; empty values are ignored. */
  add(secret: string): void {
    if (secret === "") return;
    const before = this.values.size;
    this.addValue(secret);
    if (/[\r\n]/.test(secret)) {
      for (const line of secret.split(/\r?\n|\r/)) if (line.trim() !== "") this.addValue(line);
    }
    if (this.values.size !== before) this.pattern = undefined;
  }

  private addValue(value: string): void {
    this.values.add(value);
    const encoded = [...base64Forms(value), encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];
    for (const form of encoded) if (form !== value && form.length >= minEncodedLength) this.values.add(form);
  }

  get size(): number {
    return this.values.size;
  }

  mask(text: string): string {
    if (this.values.size === 0 || text === "") return text;
    this.pattern ??= this.buildPattern();
    return text.replace(this.pattern, maskReplacement);
  }

  /** Longest first: alternation takes the first alternative that matches, so a secret wins over its own lines. */
  private buildPattern(): RegExp {
    const sorted = [...this.values].sort((a, b) => b.length - a.length);
    return new RegExp(sorted.map(escapeRegExp).join("|"), "g");
  }
}
