/** Layout constants and limits of format version 1; docs/file-format.md is the specification. */

export const MAGIC = Buffer.from('ENVF', 'ascii');
export const FORMAT_VERSION = 0x01;

export const MESSAGE_ID_LENGTH = 32;
export const DATA_KEY_LENGTH = 32;
export const COMMITMENT_LENGTH = 32;
export const IV_LENGTH = 12;
export const TAG_LENGTH = 16;

export const DEFAULT_FRAME_SIZE = 1024 * 1024;
export const MIN_FRAME_SIZE = 64;
export const MAX_FRAME_SIZE = 16 * 1024 * 1024;

/**
 * The most bytes a cipher takes in one call (a frame is sealed or opened in pieces): small enough
 * that its output is still in the core's cache when it is written; through buffers of 1 MiB, the
 * copies into and out of the page cache run at a third of the speed. At 128 KiB rather than 256, a
 * 3 GiB file decrypted until synced took 3.1 s instead of 3.1-5.1 s, with half the kernel's time
 * (writes into the page cache cost more per byte as they grow); below it, the cipher's calls cost more.
 */
export const PIECE_SIZE = 128 * 1024;

/** Written in place of a sequence number to announce the final frame (the ESDK's Sequence Number End). */
export const FINAL_FRAME_MARKER = 0xffff_ffff;
/** Sequence numbers run 1..2^32 - 1; only the final frame may carry the last one, as regular frames cannot (it is the marker). */
export const MAX_SEQUENCE_NUMBER = 0xffff_ffff;

export const MAX_KEY_VERSION = 0xffff_ffff;
export const MAX_ENCRYPTED_KEY_LENGTH = 4096;
export const MAX_KEY_ID_LENGTH = 255;
/** Bytes of the serialized context: pair count plus pairs. */
export const MAX_CONTEXT_LENGTH = 8192;

/** Fixed-size header fields: magic, version, message id, the three length prefixes, key version, frame size, commitment, tag. */
const FIXED_HEADER_LENGTH = 4 + 1 + MESSAGE_ID_LENGTH + 2 + 2 + 2 + 4 + 4 + COMMITMENT_LENGTH + TAG_LENGTH;
export const MAX_HEADER_LENGTH = FIXED_HEADER_LENGTH + MAX_CONTEXT_LENGTH + MAX_ENCRYPTED_KEY_LENGTH + MAX_KEY_ID_LENGTH;

export const REGULAR_FRAME_HEADER_LENGTH = 4 + IV_LENGTH;
export const FINAL_FRAME_HEADER_LENGTH = 4 + 4 + IV_LENGTH + 4;
