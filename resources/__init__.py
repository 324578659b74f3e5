"""Data shipped with the launcher and the reference server: brand config, terms, catalogues.

Read through ``importlib.resources.files("resources")`` so the same paths work from a
source checkout, an installed wheel and the PyInstaller single file.
"""
