/**
 * A reader for Server-Sent Events, the streaming format of OpenAI-compatible servers (LM Studio,
 * the cloud providers) and of Anthropic's Messages API. It turns a response body into events of
 * `{event, data}` as the bytes arrive, following the parts of the SSE format these servers use:
 * `event:` and `data:` fields (several `data:` lines join with newlines), comments starting with
 * `:`, blank lines ending an event, and any of CRLF, LF or CR as line ends.
 */

export interface SseEvent {
  /** The `event:` field, or "message" when there was none. */
  event: string;
  data: string;
}

export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let sawField = false;

  function* take(line: string): Generator<SseEvent> {
    if (line === "") {
      if (sawField && data.length > 0) yield { event: event || "message", data: data.join("\n") };
      event = "";
      data = [];
      sawField = false;
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    sawField = true;
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }

  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let match: RegExpExecArray | null;
      const lineEnd = /\r\n|\n|\r(?!$)/g;
      let consumed = 0;
      while ((match = lineEnd.exec(buffer)) !== null) {
        yield* take(buffer.slice(consumed, match.index));
        consumed = match.index + match[0].length;
      }
      buffer = buffer.slice(consumed);
    }
    buffer += decoder.decode();
    if (buffer !== "") yield* take(buffer.replace(/\r$/, ""));
    // A final event without its blank line is still delivered: some servers end the stream abruptly.
    yield* take("");
  } finally {
    reader.releaseLock();
  }
}
