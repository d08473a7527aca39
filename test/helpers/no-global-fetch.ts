/**
 * Loaded before every test file: the global `fetch` throws. DESIGN.md requires every outbound
 * request to pass the egress gate, whose HTTP client is its own; if any product code reached for the
 * global fetch instead, the suite would fail here. Tests that talk to a fake server directly, as an
 * outside client would, use `realFetchForTests` and say so.
 */
declare global {
  // eslint-disable-next-line no-var
  var realFetchForTests: typeof fetch;
}

globalThis.realFetchForTests = globalThis.realFetchForTests ?? globalThis.fetch;
globalThis.fetch = (() => {
  throw new Error("The global fetch was used. Every request Burrow makes must go through the egress gate's own HTTP client.");
}) as typeof fetch;

export {};
