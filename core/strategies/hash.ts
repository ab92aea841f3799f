/**
 * MurmurHash3 (x86, 32-bit) over the UTF-8 bytes of a string: the hash behind
 * the ring-hash points, the Maglev permutations and the request keys. Fast in
 * JavaScript (Math.imul, no BigInt) and well distributed; no dependency.
 */

const encoder = new TextEncoder();
let scratch = new Uint8Array(256);

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

/** The unsigned 32-bit MurmurHash3 of `text`'s UTF-8 bytes. */
export function murmur3(text: string, seed = 0): number {
  // Encode into a reused buffer: a pick hashes one key and should not allocate.
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
  const len = encoder.encodeInto(text, scratch).written;
  const b = scratch;
  let h = seed | 0;
  const blocks = len & ~3;
  for (let i = 0; i < blocks; i += 4) {
    h ^= mixK(b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = len & 3;
  if (rest > 0) {
    let k = b[blocks]!;
    if (rest > 1) k |= b[blocks + 1]! << 8;
    if (rest > 2) k |= b[blocks + 2]! << 16;
    h ^= mixK(k);
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
