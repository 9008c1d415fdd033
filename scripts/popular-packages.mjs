#!/usr/bin/env node
/**
 * Builds src/publication/popular-packages.json, the list the typosquat rule compares names with,
 * from the shared TSV of popular npm packages (columns: name, downloads_a_month).
 *
 *   node scripts/popular-packages.mjs [path/to/popular-npm-packages.tsv]
 *
 * Only what the rule needs is kept: each name, in order of popularity, with its monthly downloads
 * in millions (rounded, at least 1) so a message can say how popular the imitated package is.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = process.argv[2] ?? join(root, "..", "shared", "data", "popular-npm-packages.tsv");
const target = join(root, "src", "publication", "popular-packages.json");

const [header, ...rows] = readFileSync(source, "utf8").split(/\r?\n/).filter((line) => line.trim() !== "");
const columns = header.split("\t");
const nameColumn = columns.indexOf("name");
const downloadsColumn = columns.indexOf("downloads_a_month");
if (nameColumn === -1 || downloadsColumn === -1) throw new Error(`${source}: expected the columns name and downloads_a_month, found ${columns.join(", ")}`);

const seen = new Set();
const packages = [];
for (const row of rows) {
  const cells = row.split("\t");
  const name = cells[nameColumn]?.trim();
  const downloads = Number(cells[downloadsColumn]);
  if (!name || !Number.isFinite(downloads) || seen.has(name)) continue;
  seen.add(name);
  packages.push([name, Math.max(1, Math.round(downloads / 1_000_000))]);
}
// Most popular first: the rule names the most popular package a name is close to.
packages.sort((a, b) => b[1] - a[1]);

const lines = packages.map((entry) => JSON.stringify(entry));
const json = `{\n"source": "shared/data/popular-npm-packages.tsv",\n"downloads": "a month, in millions",\n"packages": [\n${lines.join(",\n")}\n]\n}\n`;
writeFileSync(target, json);
console.log(`${relative(root, target)}: ${packages.length} packages`);
