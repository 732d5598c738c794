#!/usr/bin/env bash
# The browser check of the demo's lesson page (src/lesson/page.*): opens
# the page in headless Chromium (driven by playwright-core) and uses it as a
# person would; scripts/check_lesson_page.mjs says what is checked.
#
#   bash scripts/check_lesson_page.sh                 # the real page: w2v demo --html
#   bash scripts/check_lesson_page.sh --fake          # a page rendered from scripts/lesson_fake_data.json
#   bash scripts/check_lesson_page.sh --page FILE     # any rendered page
#   ... --screenshot PNG                              # where the 1280x800 screenshot goes
#                                                     # (default target/lesson-check/lesson.png)
#
# Every run also checks target/lesson-check/hostile.html: the fake data with one
# word that tries to break out of the page (`</script><img onerror=...>`), which
# must stay text. Both fake pages are written by page.rs's own render(), through
# its unit test `write_the_fake_pages_when_asked` with W2V_WRITE_FAKE_PAGE=1.
#
# Installs what it needs when missing: Debian's chromium (apt-get), and
# playwright-core at the version pinned in scripts/lesson-check/package-lock.json,
# into target/lesson-check/node_modules (npm ci; nothing in the repository root).
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/lesson-check
page=""
fake=0
shot="$out/lesson.png"
while [ $# -gt 0 ]; do
  case "$1" in
    --page) page="${2:?--page needs a file}"; shift 2 ;;
    --fake) fake=1; shift ;;
    --screenshot) shot="${2:?--screenshot needs a file}"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "check_lesson_page.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -f "$out/node_modules/playwright-core/package.json" ] \
  || ! cmp -s scripts/lesson-check/package-lock.json "$out/package-lock.json"; then
  echo "== installing playwright-core (pinned) into $out"
  cp scripts/lesson-check/package.json scripts/lesson-check/package-lock.json "$out/"
  (cd "$out" && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "== the fake and hostile pages (page.rs render, W2V_WRITE_FAKE_PAGE=1)"
rm -f "$out/fake.html" "$out/hostile.html"
if ! W2V_WRITE_FAKE_PAGE=1 cargo test --release --quiet --lib -- \
  lesson::page::tests::write_the_fake_pages_when_asked --exact >"$out/fake-pages.log" 2>&1; then
  cat "$out/fake-pages.log" >&2
  echo "check_lesson_page.sh: writing the fake pages failed" >&2
  exit 1
fi
for f in "$out/fake.html" "$out/hostile.html"; do
  [ -s "$f" ] || { echo "check_lesson_page.sh: $f was not written" >&2; exit 1; }
done

if [ "$fake" = 1 ]; then
  page="$out/fake.html"
elif [ -z "$page" ]; then
  echo "== the real page: w2v demo --html $out/lesson.html"
  cargo build --release --quiet
  rm -f "$out/lesson.html"
  target/release/w2v demo --html "$out/lesson.html" >/dev/null
  page="$out/lesson.html"
fi
[ -s "$page" ] || { echo "check_lesson_page.sh: no page at '$page'" >&2; exit 1; }

echo "== browser check: $page"
LESSON_CHECK_DIR="$PWD/$out" node scripts/check_lesson_page.mjs \
  --page "$page" --hostile "$out/hostile.html" --screenshot "$shot"
