// A JSON encoding of an object graph, used for the snapshot record that log compaction writes.
// It is generic on purpose: it walks whatever fields the broker state has (Maps, Sets, arrays,
// plain objects, instances of the classes it is given, objects shared between several places —
// one stored message held by many inboxes stays one object), so a field added to the state later
// survives compaction without a change here (own enumerable fields: TypeScript `private` ones
// are, `#private` ones are not). Anything it cannot rebuild (a function, an instance
// of a class it was not given) is an error when the snapshot is taken, never a silent loss.
//
// Encoding: JSON primitives and arrays stand for themselves; every other value is an object with
// one tag — {"o":{…}} a plain object, {"c":name,"o":{…}} a class instance, {"m":[[k,v]…]} a Map,
// {"s":[…]} a Set, {"d":iso} a Date, {"u":0} undefined, {"n":"NaN"} a non-finite number,
// {"b":"12"} a bigint, {"r":n} the n-th object met before (objects and arrays are numbered in
// the order they are first written, which is also the order they are read back).

/** The classes whose instances a snapshot may hold, by the name written for them. */
export type SnapshotClasses = Readonly<Record<string, { readonly prototype: object }>>;

export class SnapshotFormatError extends Error {}

/** The graph under `value` as JSON text. */
export function encodeGraph(value: unknown, classes: SnapshotClasses): string {
  const names = new Map<object, string>(
    Object.entries(classes).map(([name, type]) => [type.prototype, name]),
  );
  const seen = new Map<object, number>();

  const fields = (object: object): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(object)) {
      // Kept as an own field by JSON.stringify (a plain assignment would set the prototype).
      if (key === '__proto__') Object.defineProperty(out, key, { value: tree(field), enumerable: true });
      else out[key] = tree(field);
    }
    return out;
  };

  // A JSON-ready copy in the tagged form, written by one native JSON.stringify: much faster, and
  // lighter on the heap, than assembling the text piece by piece.
  const tree = (item: unknown): unknown => {
    switch (typeof item) {
      case 'string':
      case 'boolean':
        return item;
      case 'number':
        return Number.isFinite(item) ? item : { n: String(item) };
      case 'undefined':
        return { u: 0 };
      case 'bigint':
        return { b: item.toString() };
      case 'object':
        break;
      default:
        throw new Error(`cannot snapshot a ${typeof item}`);
    }
    if (item === null) return null;
    const ref = seen.get(item);
    if (ref !== undefined) return { r: ref };
    seen.set(item, seen.size);
    if (Array.isArray(item)) return item.map((element: unknown) => tree(element));
    if (item instanceof Map)
      return { m: tree([...item].map(([key, entry]: [unknown, unknown]) => [key, entry])) };
    if (item instanceof Set) return { s: tree([...item]) };
    if (item instanceof Date) return { d: item.toISOString() };
    const proto: unknown = Object.getPrototypeOf(item);
    if (proto === Object.prototype || proto === null) return { o: fields(item) };
    const name = names.get(proto as object);
    if (name === undefined) {
      const type = (item as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      throw new Error(`cannot snapshot an instance of ${type}: add its class to the snapshot's classes`);
    }
    return { c: name, o: fields(item) };
  };

  return JSON.stringify(tree(value));
}

/** Rebuilds the graph that `encodeGraph` wrote (already parsed from JSON); SnapshotFormatError when malformed. */
export function decodeGraph(json: unknown, classes: SnapshotClasses): unknown {
  const objects: unknown[] = [];

  const read = (item: unknown): unknown => {
    if (item === null || typeof item !== 'object') return item;
    if (Array.isArray(item)) {
      const array: unknown[] = [];
      objects.push(array);
      for (const element of item) array.push(read(element));
      return array;
    }
    const tagged = item as Record<string, unknown>;
    if ('r' in tagged) {
      if (typeof tagged.r !== 'number' || !(tagged.r in objects))
        throw new SnapshotFormatError('dangling reference');
      return objects[tagged.r];
    }
    if ('u' in tagged) return undefined;
    if (typeof tagged.n === 'string') return Number(tagged.n);
    if (typeof tagged.b === 'string') return BigInt(tagged.b);
    if (typeof tagged.d === 'string') {
      const date = new Date(tagged.d);
      objects.push(date);
      return date;
    }
    if (Array.isArray(tagged.m)) {
      const map = new Map<unknown, unknown>();
      objects.push(map);
      for (const pair of read(tagged.m) as unknown[]) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new SnapshotFormatError('malformed Map entry');
        map.set(pair[0], pair[1]);
      }
      return map;
    }
    if (Array.isArray(tagged.s)) {
      const set = new Set<unknown>();
      objects.push(set);
      for (const element of read(tagged.s) as unknown[]) set.add(element);
      return set;
    }
    if (typeof tagged.o !== 'object' || tagged.o === null || Array.isArray(tagged.o))
      throw new SnapshotFormatError('unknown value tag');
    let object: Record<string, unknown>;
    if (tagged.c === undefined) {
      object = {};
    } else {
      const type =
        typeof tagged.c === 'string' && Object.hasOwn(classes, tagged.c) ? classes[tagged.c] : undefined;
      if (!type) throw new SnapshotFormatError(`unknown class ${JSON.stringify(tagged.c)}`);
      object = Object.create(type.prototype) as Record<string, unknown>;
    }
    objects.push(object);
    for (const [key, field] of Object.entries(tagged.o)) {
      const value = read(field);
      // A plain assignment to `__proto__` would set the prototype instead of a field.
      if (key === '__proto__')
        Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
      else object[key] = value;
    }
    return object;
  };

  try {
    return read(json);
  } catch (error) {
    if (error instanceof SnapshotFormatError) throw error;
    throw new SnapshotFormatError(error instanceof Error ? error.message : String(error));
  }
}
