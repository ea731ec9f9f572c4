#!/usr/bin/env bash
# The typed vocabulary's acceptance check: no string literal of a reason, error, kind, status,
# parameter, document or rejection code outside the enum that owns it and the generated
# bindings. The words come from the enums themselves (`gen-bindings --list`), so a new variant
# is checked the day it is added.
#
# What is searched: the Rust and TypeScript sources under crates/, src-tauri/ and ui/src, for
# each word written as a quoted literal ("needs_approval", 'needs_approval').
#
# Where a literal counts, and why:
# - A word with an underscore ("over_daily_cap", "needs_approval", "credit_note") is a code
#   wherever a Rust file writes it: no other name is spelled so.
# - A single word ("payment", "price", "pending", "link", "refused") is also an ordinary name:
#   a JSON key, an SQL column, a clap argument id, a label in a message. In Rust it counts
#   where the program decides by it, compared (`== "refused"`, `!= …`) or matched
#   (`"refused" => …`, `| "refused"`), which is what a loose code looks like.
# - In TypeScript the generated union types are the enums: tsc checks a literal compared with
#   or assigned to one (a word not in the union is TS2367/TS2322), so only hand-made lists
#   count, a literal inside `[ … ]` or `new Set(…)` (or a line of a multi-line list), where
#   nothing ties the words to the wallet's: import the generated list instead.
#
# What is left out: the files that define the words (each enum's file, the generated
# bindings.ts, the binary that lists them); tests, fixtures, benches and mocks (tests/,
# `#[cfg(test)]` modules, *.test.ts, e2e/, ui/src/lib/backend/mock*), which pin the words on
# purpose; the i18n dictionaries, whose keys are built from the words; comments; and
# crates/demo, the demo merchant, which speaks the wire and not the wallet's vocabulary.
set -euo pipefail
cd "$(dirname "$0")/.."

list=$(mktemp)
trap 'rm -f "$list"' EXIT
if [ -n "${VOCAB_LIST:-}" ]; then
  cp "$VOCAB_LIST" "$list"
else
  cargo run -q --locked -p centime-app-models --bin gen-bindings -- --list >"$list"
fi
[ -s "$list" ] || { echo "vocab-check: no vocabulary listed" >&2; exit 2; }

# The files that own the words.
owners=(
  crates/core/src/error.rs crates/core/src/reason.rs crates/core/src/entry.rs crates/core/src/payments.rs
  crates/core/src/policy.rs crates/protocol/src/verify.rs crates/protocol/src/wire.rs
  crates/app-models/src/lib.rs crates/app-models/src/bin/gen-bindings.rs ui/src/lib/backend/bindings.ts
  crates/bridge/src/error.rs crates/bridge/src/messages.rs
)

python3 - "$list" "${owners[@]}" <<'PY'
import pathlib, re, sys

list_file, owners = sys.argv[1], set(sys.argv[2:])
words = {}
for line in pathlib.Path(list_file).read_text().splitlines():
    enum, word = line.split(" ", 1)
    words.setdefault(word, enum)

def skipped(path: str) -> bool:
    p = path
    return (
        p in owners
        or "/tests/" in p or p.startswith("tests/") or "/benches/" in p or "/fixtures/" in p
        or ".test." in p or "/e2e/" in p or "/i18n/" in p
        or re.search(r"ui/src/lib/backend/mock", p) is not None
        or "/node_modules/" in p or p.startswith("crates/demo/")
    )

files = []
for root in ("crates", "src-tauri", "ui/src"):
    for f in pathlib.Path(root).rglob("*"):
        if f.suffix in (".rs", ".ts", ".tsx") and f.is_file() and not skipped(str(f)):
            files.append(f)

def without_test_modules(text: str) -> str:
    """The text with each `#[cfg(test)]` item blanked out to its closing brace (lines kept, so
    that line numbers stay right)."""
    out, i = [], 0
    while (start := text.find("#[cfg(test)]", i)) >= 0:
        open_at = text.find("{", start)
        semi = text.find(";", start)
        if open_at < 0 or (0 <= semi < open_at):
            end = semi + 1 if semi >= 0 else len(text)
        else:
            depth, end = 0, open_at
            while end < len(text):
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                end += 1
                if depth == 0:
                    break
        out.append(text[i:start])
        out.append(re.sub(r"[^\n]", " ", text[start:end]))
        i = end
    out.append(text[i:])
    return "".join(out)

literal = re.compile(r"""(["'])([a-z][a-z0-9_]*)\1""")
hits = []
for f in sorted(files):
    text = f.read_text(encoding="utf-8", errors="replace")
    rust = f.suffix == ".rs"
    if rust:
        text = without_test_modules(text)
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith(("//", "*", "/*")):
            continue
        for m in literal.finditer(line):
            word = m.group(2)
            if word not in words:
                continue
            before = line[: m.start()].rstrip()
            after = line[m.end():].lstrip()
            if rust:
                decided = before.endswith(("==", "!=", "|", "matches!(")) or after.startswith(("=>", "|"))
                counts = "_" in word or decided
            else:
                in_list = re.search(r"(\[|new Set\()[^\]]*$", line[: m.start()]) is not None
                list_line = re.fullmatch(r"""\s*(["'][a-z0-9_]*["'],?\s*)+""", line) is not None
                counts = in_list or list_line
            if counts:
                hits.append(f"{f}:{n}: {words[word]} \"{word}\" as a literal: {stripped[:120]}")

if hits:
    print("vocab-check: the typed vocabulary written as string literals (use the enum's value):")
    print("\n".join(hits))
    sys.exit(1)
print(f"vocab-check: {len(words)} words of the typed vocabulary, none written as a literal in {len(files)} files")
PY
