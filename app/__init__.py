"""Phonetex Support Launcher: the customer's side of a Phonetex remote support session."""

from importlib import metadata

try:
    __version__ = metadata.version("phonetex-support-launcher")
except metadata.PackageNotFoundError:  # running from a bare source tree that was never installed
    __version__ = "0+unknown"
