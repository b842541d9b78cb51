/**
 * The object without its properties whose value is undefined: options spread over defaults keep the defaults, and
 * outputs reach the provider host's protobuf Struct, which rejects `undefined` ("Unexpected struct type").
 */
export function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
