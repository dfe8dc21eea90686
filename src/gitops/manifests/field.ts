/** A typed view of one field of a manifest document that reports wrong or missing values with their path and line. */

import type { JsonValue } from "../../core/json";
import { isJsonObject } from "../../core/json";
import type { IntOrString } from "./model";
import type { FieldPath, ManifestProblem } from "./problems";
import { formatFieldPath } from "./problems";
import type { ManifestDocument } from "./yaml-documents";

export class Field {
  constructor(
    private readonly document: ManifestDocument,
    private readonly problems: ManifestProblem[],
    readonly path: FieldPath,
    readonly value: JsonValue | undefined,
  ) {}

  static root(document: ManifestDocument, problems: ManifestProblem[]): Field {
    return new Field(document, problems, [], document.value);
  }

  key(name: string): Field {
    const value = isJsonObject(this.value) ? this.value[name] : undefined;
    return new Field(this.document, this.problems, [...this.path, name], value);
  }

  /** Dotted descent: `at("spec.template.spec")`. */
  at(dotted: string): Field {
    return dotted.split(".").reduce<Field>((field, name) => field.key(name), this);
  }

  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  get line(): number {
    return this.document.lineOf(this.path);
  }

  get pathText(): string {
    return formatFieldPath(this.path);
  }

  report(message: string): void {
    this.problems.push({ file: this.document.file, line: this.line, field: this.pathText, message });
  }

  requiredString(): string {
    if (!this.present) {
      this.report("is required");
      return "";
    }
    const text = this.string() ?? "";
    if (text === "" && typeof this.value === "string") this.report("must not be empty");
    return text;
  }

  string(): string | undefined {
    if (!this.present) return undefined;
    if (typeof this.value === "string") return this.value;
    const hint = typeof this.value === "number" || typeof this.value === "boolean" ? ` (quote it: "${String(this.value)}")` : "";
    this.report(`must be a string${hint}`);
    return undefined;
  }

  int(options: { min?: number } = {}): number | undefined {
    if (!this.present) return undefined;
    if (typeof this.value !== "number" || !Number.isInteger(this.value)) {
      this.report("must be an integer");
      return undefined;
    }
    if (options.min !== undefined && this.value < options.min) {
      this.report(`must be at least ${options.min}`);
      return undefined;
    }
    return this.value;
  }

  bool(): boolean | undefined {
    if (!this.present) return undefined;
    if (typeof this.value === "boolean") return this.value;
    this.report("must be true or false");
    return undefined;
  }

  /** A port or count given as a number or a name/percentage, like Kubernetes' IntOrString. */
  intOrString(): IntOrString | undefined {
    if (!this.present) return undefined;
    if (typeof this.value === "string" && this.value !== "") return this.value;
    if (typeof this.value === "number" && Number.isInteger(this.value) && this.value >= 0) return this.value;
    this.report("must be a non-negative integer or a string");
    return undefined;
  }

  oneOf<T extends string>(allowed: readonly T[]): T | undefined {
    const text = this.string();
    if (text === undefined) return undefined;
    const match = allowed.find((candidate) => candidate === text);
    if (match === undefined) this.report(`must be one of ${allowed.join(", ")} (got "${text}")`);
    return match;
  }

  /** Present and a mapping; a value of another type is reported. */
  isObject(): boolean {
    if (!this.present) return false;
    if (isJsonObject(this.value)) return true;
    this.report("must be a mapping");
    return false;
  }

  /** The items of a list; absent is empty, another type is reported. */
  items(): Field[] {
    if (!this.present) return [];
    if (!Array.isArray(this.value)) {
      this.report("must be a list");
      return [];
    }
    return this.value.map((item, index) => new Field(this.document, this.problems, [...this.path, index], item));
  }

  stringList(): string[] | undefined {
    if (!this.present) return undefined;
    const items = this.items();
    if (!Array.isArray(this.value)) return undefined;
    return items.map((item) => (typeof item.value === "number" ? String(item.value) : (item.string() ?? "")));
  }

  /** Labels, annotations, ConfigMap data: string values only, as Kubernetes requires. */
  stringMap(): Record<string, string> {
    const map: Record<string, string> = {};
    if (!this.isObject()) return map;
    for (const name of Object.keys(this.value as object)) {
      const value = this.key(name).string();
      if (value !== undefined) map[name] = value;
      else if (!this.key(name).present) map[name] = "";
    }
    return map;
  }

  /** Resource quantities (`cpu: 1`, `memory: 128Mi`) as strings. */
  quantityMap(): Record<string, string> {
    const map: Record<string, string> = {};
    if (!this.isObject()) return map;
    for (const name of Object.keys(this.value as object)) {
      const field = this.key(name);
      if (typeof field.value === "number") map[name] = String(field.value);
      else {
        const value = field.string();
        if (value !== undefined) map[name] = value;
      }
    }
    return map;
  }
}
