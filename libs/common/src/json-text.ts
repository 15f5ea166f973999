/**
 * A response body that is already JSON text, sent as it is. Record lists and batch
 * writes have Postgres print each record's JSON (record-row.ts), so the API process
 * neither parses the documents from the wire nor stringifies them again: for fifty or a
 * thousand records those two passes were most of a response's CPU and garbage.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/** Fastify's reply serializer: JsonText as it is, anything else as `JSON.stringify` (Fastify's default). */
export const serializeReply = (payload: unknown): string =>
  payload instanceof JsonText ? payload.text : JSON.stringify(payload);
