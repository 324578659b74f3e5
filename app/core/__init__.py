"""All launcher logic that needs no Qt: importable and testable without a QApplication."""
