"""Made-up worlds to run the launcher in: home folders with backups (``backup_trees``), a virtual
X screen (``xvfb``) and sample consent records (``consent_records``).

Shared by ``tests/``, ``benchmarks/`` and ``tools/``; never shipped (not in the build or the wheel).
"""
