/** Small helpers that keep the alerts' sentences uniform. */

/** "a", "a and b", "a, b and c". */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? "";
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/** A command or value quoted for a message, on one line and cut to a readable length. */
export function quote(text: string, max = 120): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine);
}

/** `2026-03-31 00:21 UTC`: minutes are what a reviewer compares. */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** `40 minutes`, `5 hours`, `2 days`: the age of a release, rounded down. */
export function formatDuration(milliseconds: number): string {
  const minutes = Math.max(0, Math.floor(milliseconds / 60_000));
  if (minutes < 60) return plural(minutes, "minute");
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, "hour");
  return plural(Math.floor(hours / 24), "day");
}

/** `1 package`, `3 packages`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** A person or account for a message: `name <email>`, or just the name. */
export function accountLabel(account: { name: string; email?: string }): string {
  return account.email ? `${account.name} <${account.email}>` : account.name;
}
