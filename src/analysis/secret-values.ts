/**
 * What a value that looks like a credential has to be to count as one: not a placeholder, not a
 * hash, not a word or an identifier. Every detector of hardcoded secrets asks these questions of the
 * random part of what it found (after the prefix), so one answer holds for all kinds.
 */

// Text people put where a credential goes: `xxxx`, `****`, `<your-token>`, `${TOKEN}`, `YOUR_API_KEY`,
// `…EXAMPLE` (AWS's documented example keys all end so), ellipses of an elided value.
const PLACEHOLDER = /x{4,}|\*{3,}|\.{3}|…|•|[<>{}$%]|your|example|sample|dummy|placeholder|fake|changeme|change_me|redacted|insert|replace|test|demo/i;

/** A placeholder: placeholder words or marks, a character repeated five times, five characters in sequence (`abcde`, `12345`, `98765`). */
export function looksLikePlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value) || /(.)\1{4}/.test(value) || hasSequence(value, 5);
}

function hasSequence(value: string, length: number): boolean {
  let up = 1;
  let down = 1;
  for (let index = 1; index < value.length; index++) {
    const step = value.charCodeAt(index) - value.charCodeAt(index - 1);
    up = step === 1 ? up + 1 : 1;
    down = step === -1 ? down + 1 : 1;
    if (up >= length || down >= length) return true;
  }
  return false;
}

const HASH_HEX_LENGTHS = new Set([32, 40, 56, 64, 96, 128]);

/** A digest or an identifier, not a credential: hex of a hash's length (MD5 to SHA-512), an SRI integrity string, a UUID. */
export function isHashLike(value: string): boolean {
  if (/^[0-9a-f]+$/i.test(value) && HASH_HEX_LENGTHS.has(value.length)) return true;
  if (/^sha(?:1|256|384|512)-[A-Za-z0-9+/]+=*$/.test(value)) return true;
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const character of value) counts.set(character, (counts.get(character) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const share = count / value.length;
    bits -= share * Math.log2(share);
  }
  return bits;
}

function characterClass(code: number): number {
  if (code >= 97 && code <= 122) return 0;
  if (code >= 65 && code <= 90) return 1;
  if (code >= 48 && code <= 57) return 2;
  return 3;
}

/**
 * A value that was generated rather than written: at least 16 characters with letters and digits,
 * high entropy, switching between character classes as random text does (about every other
 * character in base62), and not made of words: identifiers (`ExclusiveStartTableName2`,
 * `sha256WithRSAEncryption`) and phrases (`my-super-secret-value-1`) are mostly runs of four or more
 * lower-case letters, which random base62 rarely has. Random values without a digit (one in twenty
 * of 16 base62 characters) are missed: the price of not reporting every long identifier.
 */
export function looksGenerated(value: string): boolean {
  if (value.length < 16 || looksLikePlaceholder(value) || isHashLike(value)) return false;
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false;
  let switches = 0;
  for (let index = 1; index < value.length; index++) {
    if (characterClass(value.charCodeAt(index)) !== characterClass(value.charCodeAt(index - 1))) switches++;
  }
  if (switches / (value.length - 1) < 0.3) return false;
  const wordy = (value.match(/[A-Za-z]?[a-z]{3,}/g) ?? []).reduce((sum, word) => sum + word.length, 0);
  if (wordy / value.length >= 0.5) return false;
  const hex = /^[0-9a-f]+$/i.test(value);
  return entropy(value) >= (hex ? 3 : Math.min(3.5, Math.log2(value.length) - 0.6)) && !base64OfText(value);
}

/** Base64 that decodes to readable text (`dGhpcyBpcyBhIHRlc3Q=`): an encoded sentence, not a key. */
function base64OfText(value: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) return false;
  const text = Buffer.from(value, "base64").toString("latin1");
  return /^[\x20-\x7e\t\r\n]+$/.test(text) && /[ \n]/.test(text);
}
