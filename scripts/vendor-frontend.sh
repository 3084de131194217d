#!/usr/bin/env bash
# Re-vendors the front-end files Pillars embeds, from the npm registry, at pinned versions.
# The results are committed, so neither building nor running Pillars needs npm or a network.
#   nhsuk-frontend -> internal/web/static/nhsuk/   (CSS, JS module, images)
#   htmx.org       -> internal/web/static/htmx.min.js
#   axe-core       -> e2e/testdata/axe.min.js      (browser tests only)
set -euo pipefail
NHSUK=10.6.1
HTMX=2.0.11
AXE=4.14.1
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "nhsuk-frontend@$NHSUK" "htmx.org@$HTMX" "axe-core@$AXE" >/dev/null
for f in *.tgz; do mkdir -p "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done

dist="nhsuk-frontend-$NHSUK/package/dist/nhsuk"
out="$root/internal/web/static/nhsuk"
rm -rf "$out"; mkdir -p "$out/images"
# The NHS.UK fonts are licensed to NHS services and served from assets.nhs.uk; Pillars cannot
# load them (no outside requests, strict CSP), so the @font-face rules are removed and the
# design system's own fallback stack (Arial) is used. Image URLs become relative so the CSS
# works under the content-hashed /static/<hash>/ prefix.
sed -e 's#@font-face{[^}]*assets\.nhs\.uk[^}]*}##g' \
    -e 's#url(/assets/images/#url(images/#g' \
    "$dist/nhsuk-frontend.min.css" > "$out/nhsuk-frontend.min.css"
if grep -q 'assets.nhs.uk' "$out/nhsuk-frontend.min.css"; then
  echo "vendor: external font URLs remain in the CSS; update the sed above" >&2; exit 1
fi
sed -e 's#//\# sourceMappingURL=.*##' "$dist/nhsuk-frontend.min.js" > "$out/nhsuk-frontend.min.js"
cp "$dist"/assets/images/*.svg "$dist"/assets/images/favicon.ico "$dist"/assets/images/nhsuk-icon-180.png "$out/images/"
cp "nhsuk-frontend-$NHSUK/package/README.md" "$out/README-nhsuk-frontend.md" 2>/dev/null || true
echo "nhsuk-frontend $NHSUK (MIT licence), from the npm registry" > "$out/VERSION"

cp "htmx.org-$HTMX/package/dist/htmx.min.js" "$root/internal/web/static/htmx.min.js"
mkdir -p "$root/e2e/testdata"
cp "axe-core-$AXE/package/axe.min.js" "$root/e2e/testdata/axe.min.js"
echo "htmx.org $HTMX (0BSD); axe-core $AXE (MPL-2.0)" > "$root/internal/web/static/VENDOR-VERSIONS"
echo "vendored nhsuk-frontend $NHSUK, htmx $HTMX, axe-core $AXE"
