#!/usr/bin/env bash
# Sign the macOS launcher with a Developer ID, notarize it with Apple and staple the ticket.
# Run on a Mac after `pyinstaller --noconfirm build.spec` has made dist/Phonetex-Support.app.
#
#   installer/macos/sign-and-notarize.sh
#
# No secret lives in the repository. From the environment:
#   PHONETEX_MACOS_IDENTITY   "Developer ID Application: <Company> (<TEAMID>)", in the keychain
#   and either PHONETEX_NOTARY_PROFILE (a `xcrun notarytool store-credentials` profile)
#   or APPLE_ID + APPLE_TEAM_ID + APPLE_APP_PASSWORD (an app-specific password).
set -euo pipefail
cd "$(dirname "$0")/../.."
APP=dist/Phonetex-Support.app
ENTITLEMENTS=installer/macos/entitlements.plist
: "${PHONETEX_MACOS_IDENTITY:?set PHONETEX_MACOS_IDENTITY to the Developer ID Application identity}"
[ -d "$APP" ] || { echo "$APP not found: build it first" >&2; exit 1; }

sign() {
    codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" \
        --sign "$PHONETEX_MACOS_IDENTITY" "$@"
}

# Inside out: every library and executable in the bundle, then the bundle itself. Apple advises
# against `codesign --deep` for signing, since it applies one set of options to everything.
find "$APP/Contents" -type f \( -name "*.so" -o -name "*.dylib" -o -perm -u+x \) -print0 |
    while IFS= read -r -d '' file; do
        if file "$file" | grep -q "Mach-O"; then sign "$file"; fi
    done
sign "$APP"
codesign --verify --strict --deep --verbose=2 "$APP"

ZIP=dist/Phonetex-Support-macos.zip
ditto -c -k --keepParent "$APP" "$ZIP"
if [ -n "${PHONETEX_NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$ZIP" --keychain-profile "$PHONETEX_NOTARY_PROFILE" --wait
else
    : "${APPLE_ID:?set PHONETEX_NOTARY_PROFILE, or APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD}"
    xcrun notarytool submit "$ZIP" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
        --password "$APPLE_APP_PASSWORD" --wait
fi
xcrun stapler staple "$APP"
spctl --assess --type execute --verbose=2 "$APP"
# The zip customers download, made again so it carries the stapled ticket.
rm -f "$ZIP"
ditto -c -k --keepParent "$APP" "$ZIP"
echo "signed, notarized and stapled: $ZIP"
