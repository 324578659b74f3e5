# Sign the Windows launchers with Authenticode, then verify them. Run after `pyinstaller build.spec`.
#
#   pwsh installer/windows/sign.ps1
#
# No secret lives in the repository: the certificate comes from the environment (the CI secrets
# store, or a signing machine), in one of two forms:
#   PHONETEX_SIGN_PFX_BASE64 + PHONETEX_SIGN_PFX_PASSWORD   a .pfx file, base64-encoded
#   PHONETEX_SIGN_CERT_SHA1                                 thumbprint of a certificate already in
#                                                           the machine's store (e.g. on a token/HSM)
# PHONETEX_SIGN_TIMESTAMP_URL (optional) is the RFC 3161 timestamp server; a timestamp keeps the
# signature valid after the certificate expires.
$ErrorActionPreference = "Stop"
$files = @("dist\Phonetex-Support.exe", "dist\Phonetex-Support-debug.exe")
$timestamp = if ($env:PHONETEX_SIGN_TIMESTAMP_URL) { $env:PHONETEX_SIGN_TIMESTAMP_URL } else { "http://timestamp.digicert.com" }

$signtool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" |
    Sort-Object FullName -Descending | Select-Object -First 1
if (-not $signtool) { throw "signtool.exe not found: install the Windows 10/11 SDK" }

$certificate = @()
$pfx = $null
if ($env:PHONETEX_SIGN_PFX_BASE64) {
    $pfx = Join-Path $env:RUNNER_TEMP "phonetex-signing.pfx"
    if (-not $env:RUNNER_TEMP) { $pfx = Join-Path ([IO.Path]::GetTempPath()) "phonetex-signing.pfx" }
    [IO.File]::WriteAllBytes($pfx, [Convert]::FromBase64String($env:PHONETEX_SIGN_PFX_BASE64))
    $certificate = @("/f", $pfx, "/p", $env:PHONETEX_SIGN_PFX_PASSWORD)
} elseif ($env:PHONETEX_SIGN_CERT_SHA1) {
    $certificate = @("/sha1", $env:PHONETEX_SIGN_CERT_SHA1)
} else {
    throw "Set PHONETEX_SIGN_PFX_BASE64 and PHONETEX_SIGN_PFX_PASSWORD, or PHONETEX_SIGN_CERT_SHA1"
}

try {
    foreach ($file in $files) {
        & $signtool.FullName sign /fd SHA256 /td SHA256 /tr $timestamp /d "Phonetex Support" @certificate $file
        if ($LASTEXITCODE -ne 0) { throw "signing $file failed" }
        & $signtool.FullName verify /pa /v $file
        if ($LASTEXITCODE -ne 0) { throw "$file does not verify" }
    }
} finally {
    if ($pfx -and (Test-Path $pfx)) { Remove-Item $pfx -Force }
}
