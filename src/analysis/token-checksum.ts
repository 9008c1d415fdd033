/**
 * The checksum GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) and npm (`npm_`) put in their tokens:
 * 30 random base62 characters, then the CRC32 of those 30 written in base62 (digits, then upper
 * case, then lower case), left-padded with `0` to 6 characters. A token whose last six characters
 * match was issued by the service or made to look issued; one that does not is a made-up string.
 */

import { crc32 } from "node:zlib";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A non-negative integer in base62, left-padded with `0` to `width`. */
export function base62(value: number, width: number): string {
  let text = "";
  for (let rest = value; rest > 0; rest = Math.floor(rest / 62)) text = BASE62[rest % 62]! + text;
  return text.padStart(width, "0");
}

/** The six checksum characters for a token's 30 random characters. */
export function tokenChecksum(random: string): string {
  return base62(crc32(random), 6);
}

/** Whether the 36 characters after a token's prefix end with the checksum of the first 30. */
export function hasValidTokenChecksum(body: string): boolean {
  return body.length === 36 && tokenChecksum(body.slice(0, 30)) === body.slice(30);
}
