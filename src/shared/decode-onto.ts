// Tyk's PUT handlers decode the request body onto the stored resource (Go's json.Decode into the loaded
// struct): a field the body omits keeps its value; a field it sends replaces it (design.md §2, "PUT").

/** The input a PUT stands for: the stored resource as its body would write it, with the sent fields over it. */
export function decodeOnto<S extends object, B extends object> (stored: S, body: B): S & B {
  const sent = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined))
  return { ...stored, ...sent } as S & B
}
