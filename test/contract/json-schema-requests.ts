import fc from 'fast-check';

// Requests from the OpenAPI document itself: a validator, a generator of valid values (fast-check)
// and the ways to break a valid value, over the subset of JSON Schema 2020-12 the document's
// request side uses ($ref, anyOf, oneOf, not, type, enum, const, patterns, lengths, items,
// properties, required, additionalProperties, propertyNames, maxProperties, minimum, maximum).
// Annotations (description, format, contentEncoding, default) constrain nothing, as in JSON Schema.

export type JsonSchema = boolean | { readonly [keyword: string]: unknown };
type Schema = Exclude<JsonSchema, boolean>;

const LONE_SURROGATE = /\p{Cs}/u;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
/** JSON Schema counts a string's length in code points. */
const lengthOf = (text: string): number => [...text].length;
const deepEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export class SchemaSet {
  constructor(private readonly components: Readonly<Record<string, JsonSchema>>) {}

  /** The schema a `$ref` names, followed until it names none. */
  resolve(schema: JsonSchema): JsonSchema {
    let resolved = schema;
    while (typeof resolved === 'object' && typeof resolved.$ref === 'string') {
      const name = resolved.$ref.replace('#/components/schemas/', '');
      const target = this.components[name];
      if (target === undefined) throw new Error(`unresolved ${resolved.$ref}`);
      resolved = target;
    }
    return resolved;
  }

  /** Whether a value satisfies a schema. */
  valid(schema: JsonSchema, value: unknown): boolean {
    const s = this.resolve(schema);
    if (typeof s === 'boolean') return s;
    if (Array.isArray(s.anyOf) && !s.anyOf.some((branch) => this.valid(branch, value))) return false;
    if (Array.isArray(s.oneOf) && s.oneOf.filter((branch) => this.valid(branch, value)).length !== 1) return false;
    if (Array.isArray(s.allOf) && !s.allOf.every((branch) => this.valid(branch, value))) return false;
    if (s.not !== undefined && this.valid(s.not as JsonSchema, value)) return false;
    if (s.enum !== undefined && !(s.enum as unknown[]).some((option) => deepEqual(option, value))) return false;
    if ('const' in s && !deepEqual(s.const, value)) return false;
    if (s.type !== undefined && ![s.type].flat().some((type) => this.hasType(type as string, value))) return false;
    if (typeof value === 'string') return this.validString(s, value);
    if (typeof value === 'number') return this.validNumber(s, value);
    if (Array.isArray(value)) return this.validArray(s, value);
    if (isObject(value)) return this.validObject(s, value);
    return true;
  }

  private hasType(type: string, value: unknown): boolean {
    if (type === 'integer') return Number.isInteger(value);
    if (type === 'object') return isObject(value);
    if (type === 'array') return Array.isArray(value);
    if (type === 'null') return value === null;
    return typeof value === type;
  }

  private validString(s: Schema, value: string): boolean {
    if (typeof s.minLength === 'number' && lengthOf(value) < s.minLength) return false;
    if (typeof s.maxLength === 'number' && lengthOf(value) > s.maxLength) return false;
    return typeof s.pattern !== 'string' || new RegExp(s.pattern, 'u').test(value);
  }

  private validNumber(s: Schema, value: number): boolean {
    if (typeof s.minimum === 'number' && value < s.minimum) return false;
    return typeof s.maximum !== 'number' || value <= s.maximum;
  }

  private validArray(s: Schema, value: unknown[]): boolean {
    if (typeof s.minItems === 'number' && value.length < s.minItems) return false;
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) return false;
    return s.items === undefined || value.every((item) => this.valid(s.items as JsonSchema, item));
  }

  private validObject(s: Schema, value: Record<string, unknown>): boolean {
    const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
    const keys = Object.keys(value);
    if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties) return false;
    if (((s.required ?? []) as string[]).some((name) => !Object.hasOwn(value, name))) return false;
    for (const key of keys) {
      if (s.propertyNames !== undefined && !this.valid(s.propertyNames as JsonSchema, key)) return false;
      const schema = Object.hasOwn(properties, key) ? properties[key]! : (s.additionalProperties as JsonSchema | undefined);
      if (schema !== undefined && !this.valid(schema, value[key])) return false;
    }
    return true;
  }

  /**
   * Values that satisfy a schema. Strings are well-formed Unicode, now and then as long as allowed; collections are kept small
   * (3 entries at most beyond what a schema requires); a `date-time` is one of the next 364 days,
   * as the document's only date-time in a request, a grant's `expiresAt`, says in its description.
   */
  arbitrary(schema: JsonSchema): fc.Arbitrary<unknown> {
    return this.generate(schema).filter((value) => this.valid(schema, value));
  }

  private generate(schema: JsonSchema): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    if (s === true || (typeof s === 'object' && Object.keys(s).every((k) => k === 'description'))) {
      return fc.jsonValue({ maxDepth: 2 });
    }
    if (s === false) throw new Error('no value satisfies false');
    const branches = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
    if (branches) return fc.oneof(...branches.map((branch) => this.arbitrary(branch)));
    if (s.enum !== undefined) return fc.constantFrom(...(s.enum as unknown[]));
    if ('const' in s) return fc.constant(s.const);
    switch (s.type) {
      case 'string':
        return this.generateString(s);
      case 'integer':
        return fc.integer({ min: (s.minimum as number | undefined) ?? -1000, max: (s.maximum as number | undefined) ?? 1000 });
      case 'number':
        return fc.double({ min: (s.minimum as number | undefined) ?? -1000, max: (s.maximum as number | undefined) ?? 1000, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(this.arbitrary((s.items ?? true) as JsonSchema), {
          minLength: (s.minItems as number | undefined) ?? 0,
          maxLength: Math.min((s.maxItems as number | undefined) ?? 3, ((s.minItems as number | undefined) ?? 0) + 3),
        });
      case 'object':
        return this.generateObject(s);
      default:
        throw new Error(`no generator for ${JSON.stringify(s)}`);
    }
  }

  private generateString(s: Schema): fc.Arbitrary<string> {
    if (s.format === 'date-time') {
      const hour = 60 * 60 * 1000;
      return fc.integer({ min: 1, max: 364 * 24 }).map((hours) => new Date(Date.now() + hours * hour).toISOString());
    }
    const minLength = (s.minLength as number | undefined) ?? 0;
    const text =
      typeof s.pattern === 'string'
        ? fc.stringMatching(new RegExp(s.pattern, 'u'))
        : fc.string({ unit: 'grapheme', minLength, maxLength: Math.min((s.maxLength as number | undefined) ?? 16, minLength + 16) });
    const wellFormed = text.filter((value) => !LONE_SURROGATE.test(value));
    // Now and then the longest text allowed, in characters outside the BMP too (2 UTF-16 code units each, 1 character for JSON Schema).
    const longest =
      typeof s.maxLength === 'number' ? ['𠆱', 'a'].map((c) => c.repeat(s.maxLength as number)).filter((value) => this.valid(s, value)) : [];
    return longest.length === 0 ? wellFormed : fc.oneof({ arbitrary: wellFormed, weight: 2 }, { arbitrary: fc.constantFrom(...longest), weight: 1 });
  }

  private generateObject(s: Schema): fc.Arbitrary<Record<string, unknown>> {
    const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
    const declared = fc.record(Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, this.arbitrary(schema)])), {
      requiredKeys: (s.required ?? []) as string[],
    });
    if (s.additionalProperties === undefined || s.additionalProperties === false) return declared;
    const entries = fc.dictionary(
      this.arbitrary((s.propertyNames ?? { type: 'string' }) as JsonSchema) as fc.Arbitrary<string>,
      this.arbitrary(s.additionalProperties as JsonSchema),
      { maxKeys: Math.min((s.maxProperties as number | undefined) ?? 3, 3) },
    );
    return fc.tuple(declared, entries).map(([own, more]) => ({ ...more, ...own }));
  }

  /**
   * Values that break a schema, each made from a valid one by one change: a required property
   * dropped, an unknown one added, a value of another type, a pattern or a `not` broken, a length,
   * a count or a bound exceeded. Only changes that do break the whole schema are kept.
   */
  breakings(schema: JsonSchema, valid: unknown): { readonly label: string; readonly value: unknown }[] {
    return this.changes(schema, valid, '').filter(({ value }) => !this.valid(schema, value));
  }

  private changes(schema: JsonSchema, value: unknown, at: string): { label: string; value: unknown }[] {
    const s = this.resolve(schema);
    if (typeof s === 'boolean') return [];
    const branches = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
    if (branches) {
      const branch = branches.find((candidate) => this.valid(candidate, value));
      return branch === undefined ? [] : this.changes(branch, value, at);
    }
    const changed: { label: string; value: unknown }[] = [];
    if (s.enum !== undefined || 'const' in s) changed.push({ label: `${at}: not one of the values`, value: 'not-one-of-them' });
    if (typeof value === 'string') changed.push(...this.stringChanges(s, at));
    if (typeof value === 'number') {
      changed.push({ label: `${at}: a string, not a number`, value: String(value) });
      if (s.type === 'integer') changed.push({ label: `${at}: not an integer`, value: value + 0.5 });
      if (typeof s.minimum === 'number') changed.push({ label: `${at}: below the minimum`, value: s.minimum - 1 });
      if (typeof s.maximum === 'number') changed.push({ label: `${at}: above the maximum`, value: s.maximum + 1 });
    }
    if (typeof value === 'boolean') changed.push({ label: `${at}: a string, not a boolean`, value: String(value) });
    if (Array.isArray(value)) changed.push(...this.arrayChanges(s, value, at));
    if (isObject(value)) changed.push(...this.objectChanges(s, value, at));
    return changed;
  }

  /** A string's changes; a string stays a string in a path, a query or a header, so these are also theirs. */
  stringChanges(s: Schema, at: string): { label: string; value: unknown }[] {
    const changed: { label: string; value: unknown }[] = [{ label: `${at}: a number, not a string`, value: 42 }];
    if (typeof s.pattern === 'string') {
      const pattern = new RegExp(s.pattern, 'u');
      const breaking = ['!', ' ', '%', 'a b', '\u0000', ''].find((candidate) => !pattern.test(candidate));
      if (breaking !== undefined) changed.push({ label: `${at}: breaks the pattern`, value: breaking });
    }
    const not = s.not as Schema | undefined;
    if (typeof not?.pattern === 'string') {
      const [matching] = fc.sample(fc.stringMatching(new RegExp(not.pattern, 'u')), { numRuns: 1, seed: 24 });
      changed.push({ label: `${at}: matches the pattern it must not`, value: matching });
    }
    if (typeof s.maxLength === 'number') changed.push({ label: `${at}: longer than maxLength`, value: 'a'.repeat(s.maxLength + 1) });
    if (typeof s.minLength === 'number' && s.minLength > 0) changed.push({ label: `${at}: shorter than minLength`, value: '' });
    return changed;
  }

  private arrayChanges(s: Schema, value: unknown[], at: string): { label: string; value: unknown }[] {
    const changed: { label: string; value: unknown }[] = [{ label: `${at}: an object, not an array`, value: {} }];
    if (typeof s.minItems === 'number' && s.minItems > 0) changed.push({ label: `${at}: fewer than minItems`, value: [] });
    if (typeof s.maxItems === 'number' && value.length > 0) {
      changed.push({ label: `${at}: more than maxItems`, value: Array.from({ length: s.maxItems + 1 }, (_, i) => value[i % value.length]) });
    }
    if (value.length > 0 && s.items !== undefined) {
      for (const { label, value: item } of this.changes(s.items as JsonSchema, value[0], `${at}[0]`))
        changed.push({ label, value: [item, ...value.slice(1)] });
    }
    return changed;
  }

  private objectChanges(s: Schema, value: Record<string, unknown>, at: string): { label: string; value: unknown }[] {
    const changed: { label: string; value: unknown }[] = [{ label: `${at}: an array, not an object`, value: [value] }];
    for (const name of (s.required ?? []) as string[]) {
      const { [name]: _dropped, ...rest } = value;
      changed.push({ label: `${at}.${name}: required, left out`, value: rest });
    }
    if (s.additionalProperties === false) changed.push({ label: `${at}: an unknown property`, value: { ...value, unknownProperty: 1 } });
    const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
    for (const [name, item] of Object.entries(value)) {
      const schema = Object.hasOwn(properties, name) ? properties[name]! : (s.additionalProperties as JsonSchema | undefined);
      if (schema === undefined || typeof schema === 'boolean') continue;
      for (const change of this.changes(schema, item, `${at}.${name}`))
        changed.push({ label: change.label, value: { ...value, [name]: change.value } });
    }
    const names = s.propertyNames as Schema | undefined;
    const [some] = Object.values(value);
    if (names !== undefined && some !== undefined) {
      for (const change of this.stringChanges(names, `${at} key`).filter((c) => typeof c.value === 'string')) {
        changed.push({ label: change.label, value: { ...value, [change.value as string]: some } });
      }
    }
    if (typeof s.maxProperties === 'number' && some !== undefined) {
      const many = Object.fromEntries(Array.from({ length: s.maxProperties + 1 }, (_, i) => [`k${i}`, some]));
      changed.push({ label: `${at}: more than maxProperties`, value: many });
    }
    return changed;
  }
}
