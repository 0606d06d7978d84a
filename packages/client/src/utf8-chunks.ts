import { StringDecoder } from 'node:string_decoder';

/**
 * UTF-8 text from the chunks it arrived in, decoded chunk by chunk (a sequence split between chunks
 * decodes whole) rather than from a copy of the whole as one buffer: a batch's 150 KB would be one
 * more buffer outside V8's heap per message, and enough of them bring full collections. A single
 * chunk (most messages) is decoded as it is.
 */
export function decodeUtf8Chunks(chunks: readonly Buffer[]): string {
  if (chunks.length === 1) return chunks[0]!.toString('utf8');
  const decoder = new StringDecoder('utf8');
  let text = '';
  for (const chunk of chunks) text += decoder.write(chunk);
  return text + decoder.end();
}
