"""Made-up worlds to run the launcher in: home folders with backups (``backup_trees``), a virtual
X screen (``xvfb``), sample consent records (``consent_records``), stand-in launcher builds to
publish (``launcher_builds``) and a headless Chromium (``browser``).

Shared by ``tests/``, ``benchmarks/`` and ``tools/``; never shipped (not in the build or the wheel).
"""
