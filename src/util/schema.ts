// The runtime schema checker of git-paw: config files, session state, the broker's
// configuration, its `/status` and `/signals` answers, the demo marker (zod only where the MCP
// SDK demands zod schemas, in the broker's MCP endpoint). Not zod, nor zod/mini:
// importing either costs 70–90 ms on a 2-core machine (this module: 5–15 ms), more than the rest
// of `git paw status`, and the start path pays it twice (the launching process and the broker's
// server), while these schemas need only a handful of building blocks. Types
// are derived from the schemas (`Infer`), as with zod, and issues have zod's shape and wording
// (code, path, expected/values, message), so error texts built from them read the same. Unknown
// object keys are dropped from the output; callers that warn about them walk the schema (`kind`,
// `shape`, `values`, `inner`).

export type IssuePath = (string | number)[];

/** What a value should have been, for `invalid_type` issues. */
export type ExpectedType = 'string' | 'boolean' | 'number' | 'int' | 'array' | 'object' | 'record';

export type Issue =
  | { code: 'invalid_type'; path: IssuePath; expected: ExpectedType; message: string }
  | { code: 'invalid_value'; path: IssuePath; values: readonly string[]; message: string }
  | { code: 'too_small' | 'too_big'; path: IssuePath; message: string }
  | { code: 'custom'; path: IssuePath; message: string };

export type ParseResult<T> = { success: true; data: T } | { success: false; issues: Issue[] };

interface BaseSchema<Kind extends string, T> {
  readonly kind: Kind;
  /** The parsed value; appends an issue for every problem (the value is meaningless then). */
  check(input: unknown, path: IssuePath, issues: Issue[]): T;
}

export type Schema<T> = BaseSchema<string, T>;
export type Infer<S> = S extends Schema<infer T> ? T : never;

export type OptionalSchema<T> = BaseSchema<'optional', T | undefined> & { readonly inner: Schema<T> };
export type RecordSchema<T> = BaseSchema<'record', Record<string, T>> & { readonly values: Schema<T> };

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S];
type Flatten<T> = { [K in keyof T]: T[K] } & {};
export type ShapeOutput<S extends Shape> = Flatten<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }
>;
export type ObjectSchema<S extends Shape> = BaseSchema<'object', ShapeOutput<S>> & { readonly shape: S };

/** How zod names a value it did not expect (`received …`). */
function received(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'Date';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

function typeIssue(issues: Issue[], path: IssuePath, expected: ExpectedType, value: unknown): void {
  issues.push({ code: 'invalid_type', path, expected, message: `Invalid input: expected ${expected}, received ${received(value)}` });
}

/** Objects as zod's `object` takes them: anything non-null that is not an array (a Date too). */
function isObjectLike(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Plain objects only, as zod's `record` wants them (parsed TOML tables have a null prototype). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isObjectLike(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

export function string(options: { minLength?: number; refine?: { test: (value: string) => boolean; message: string } } = {}): Schema<string> {
  return {
    kind: 'string',
    check(input, path, issues) {
      if (typeof input !== 'string') {
        typeIssue(issues, path, 'string', input);
        return '';
      }
      const { minLength, refine } = options;
      if (minLength !== undefined && input.length < minLength) {
        issues.push({ code: 'too_small', path, message: `Too small: expected string to have >=${minLength} characters` });
      }
      if (refine && !refine.test(input)) issues.push({ code: 'custom', path, message: refine.message });
      return input;
    },
  };
}

export function boolean(): Schema<boolean> {
  return {
    kind: 'boolean',
    check(input, path, issues) {
      if (typeof input !== 'boolean') typeIssue(issues, path, 'boolean', input);
      return input === true;
    },
  };
}

interface NumberOptions {
  int?: boolean;
  min?: number;
  max?: number;
  /** Replaces the default too-small / too-big message. */
  rangeMessage?: string;
}

/** Finite numbers; `int` as zod's `.int()`: a non-integer stops there, an unsafe one is too big/small. */
export function number(options: NumberOptions = {}): Schema<number> {
  return {
    kind: 'number',
    check(input, path, issues) {
      if (typeof input !== 'number' || !Number.isFinite(input)) {
        typeIssue(issues, path, 'number', input);
        return 0;
      }
      const { int, min, max, rangeMessage } = options;
      if (int) {
        if (!Number.isInteger(input)) {
          typeIssue(issues, path, 'int', input);
          return input;
        }
        if (input > Number.MAX_SAFE_INTEGER) {
          issues.push({ code: 'too_big', path, message: `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}` });
        } else if (input < Number.MIN_SAFE_INTEGER) {
          issues.push({ code: 'too_small', path, message: `Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}` });
        }
      }
      if (min !== undefined && input < min) {
        issues.push({ code: 'too_small', path, message: rangeMessage ?? `Too small: expected number to be >=${min}` });
      }
      if (max !== undefined && input > max) {
        issues.push({ code: 'too_big', path, message: rangeMessage ?? `Too big: expected number to be <=${max}` });
      }
      return input;
    },
  };
}

/** Exactly `value` (zod's `literal`), e.g. a marker member such as `git_paw: true`. */
export function literal<const T extends boolean | number | string>(value: T): Schema<T> {
  return {
    kind: 'literal',
    check(input, path, issues) {
      if (input !== value) {
        const expected = JSON.stringify(value);
        const message = `Invalid input: expected ${expected}`;
        issues.push({ code: 'invalid_value', path, values: [expected], message });
      }
      return value;
    },
  };
}

export function literals<const T extends string>(values: readonly T[]): Schema<T> {
  return {
    kind: 'enum',
    check(input, path, issues) {
      if (!(values as readonly unknown[]).includes(input)) {
        const message = `Invalid option: expected one of ${values.map((value) => JSON.stringify(value)).join('|')}`;
        issues.push({ code: 'invalid_value', path, values, message });
      }
      return input as T;
    },
  };
}

export function array<T>(items: Schema<T>): Schema<T[]> {
  return {
    kind: 'array',
    check(input, path, issues) {
      if (!Array.isArray(input)) {
        typeIssue(issues, path, 'array', input);
        return [];
      }
      return input.map((item: unknown, index) => items.check(item, [...path, index], issues));
    },
  };
}

/** A table of string keys to values of one schema (zod's `record(string(), values)`). */
export function record<T>(values: Schema<T>): RecordSchema<T> {
  return {
    kind: 'record',
    values,
    check(input, path, issues) {
      const result: Record<string, T> = {};
      if (!isPlainObject(input)) {
        typeIssue(issues, path, 'record', input);
        return result;
      }
      for (const [key, value] of Object.entries(input)) {
        // defineProperty: a key named `__proto__` stays a key instead of replacing the prototype.
        Object.defineProperty(result, key, { value: values.check(value, [...path, key], issues), enumerable: true, writable: true, configurable: true });
      }
      return result;
    },
  };
}

/** Known keys in shape order; unknown keys are dropped; absent optional keys stay absent. */
export function object<S extends Shape>(shape: S): ObjectSchema<S> {
  return {
    kind: 'object',
    shape,
    check(input, path, issues) {
      const result: Record<string, unknown> = {};
      if (!isObjectLike(input)) {
        typeIssue(issues, path, 'object', input);
        return result as ShapeOutput<S>;
      }
      for (const [key, schema] of Object.entries(shape)) {
        const value = schema.check(input[key], [...path, key], issues);
        if (value !== undefined) result[key] = value;
      }
      return result as ShapeOutput<S>;
    },
  };
}

export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return {
    kind: 'optional',
    inner,
    check: (input, path, issues) => (input === undefined ? undefined : inner.check(input, path, issues)),
  };
}

/** `null` or `inner` (zod's `.nullable()`); with `optional` around it, zod's `.nullish()`. */
export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return {
    kind: 'nullable',
    check: (input, path, issues) => (input === null ? null : inner.check(input, path, issues)),
  };
}

/** `fallback` when the key is absent (zod's `.default()`). */
export function withDefault<T>(inner: Schema<T>, fallback: T): Schema<T> {
  return {
    kind: 'default',
    check: (input, path, issues) => (input === undefined ? fallback : inner.check(input, path, issues)),
  };
}

/** Type guards for code that walks a schema (e.g. to find keys it does not know). */
export function isOptionalSchema(schema: Schema<unknown>): schema is OptionalSchema<unknown> {
  return schema.kind === 'optional';
}

export function isObjectSchema(schema: Schema<unknown>): schema is ObjectSchema<Shape> {
  return schema.kind === 'object';
}

export function isRecordSchema(schema: Schema<unknown>): schema is RecordSchema<unknown> {
  return schema.kind === 'record';
}

export function safeParse<T>(schema: Schema<T>, input: unknown): ParseResult<T> {
  const issues: Issue[] = [];
  const data = schema.check(input, [], issues);
  return issues.length === 0 ? { success: true, data } : { success: false, issues };
}
