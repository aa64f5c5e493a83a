// Reading a transparency log's checkpoint and entry bundles in the
// console (formats: docs/audit-log.md, C2SP tlog-checkpoint and
// tlog-tiles). The console shows a log; proving it complete and
// append-only is `confiance log verify` / `confiance log tail`, run where
// the auditor trusts the code.

export const ENTRIES_PER_TILE = 256;

// The note text of a signed checkpoint: origin, size, root hash, then the
// signature lines after a blank line ("\u2014 <key name> <base64>"): the
// log's, then the cosignatures of the witnesses that answered.
export function parseCheckpoint(note) {
  const [body, signatures = ""] = note.split("\n\n");
  const lines = body.split("\n");
  if (lines.length < 3 || !/^[0-9]+$/.test(lines[1])) throw new Error("not a checkpoint note");
  const signatureLines = signatures.split("\n").filter((l) => l.startsWith("\u2014 "));
  return {
    origin: lines[0],
    size: Number(lines[1]),
    rootHash: lines[2],
    signatures: signatureLines,
    signers: signatureLines.map((l) => l.slice(2).split(" ")[0]),
  };
}

// One sentence naming who signed checkpoint `cp`: the log (its key is named
// `logKeyName`) and the witnesses that cosigned. Names only: the console
// checks no signature (see above).
export function describeSigners(cp, logKeyName) {
  const witnesses = cp.signers.filter((name) => name !== logKeyName);
  const bySelf = cp.signers.includes(logKeyName) ? `Signed by the log (${logKeyName})` : "Not signed by the log's key";
  if (witnesses.length === 0) return `${bySelf}; not cosigned by any witness.`;
  const noun = witnesses.length === 1 ? "witness" : "witnesses";
  return `${bySelf}; cosigned by ${witnesses.length} ${noun}: ${witnesses.join(", ")}.`;
}

// The tile index `n` as tlog-tiles spells it: 3-digit groups, all but the
// last prefixed with "x" (1234067 -> x001/x234/067).
export function tileIndexPath(n) {
  const groups = [];
  do {
    groups.unshift(String(n % 1000).padStart(3, "0"));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? "x" + g : g)).join("/");
}

// The resource of the entry bundle holding entry `index` in a tree of
// `size` entries (partial when the tree ends inside it).
export function entryBundleResource(index, size) {
  const n = Math.floor(index / ENTRIES_PER_TILE);
  const width = Math.min(size - n * ENTRIES_PER_TILE, ENTRIES_PER_TILE);
  return `/tile/entries/${tileIndexPath(n)}` + (width < ENTRIES_PER_TILE ? `.p/${width}` : "");
}

// An entry bundle's entries, each a big-endian uint16 length then the
// bytes, as strings (Confiance's entries are one line of JSON each).
export function parseEntryBundle(bytes) {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const entries = [];
  for (let at = 0; at < bytes.length;) {
    if (at + 2 > bytes.length) throw new Error("truncated entry bundle");
    const length = (bytes[at] << 8) | bytes[at + 1];
    if (at + 2 + length > bytes.length) throw new Error("truncated entry bundle");
    entries.push(decoder.decode(bytes.subarray(at + 2, at + 2 + length)));
    at += 2 + length;
  }
  return entries;
}
