"""Files that are only a name on this computer, their content in the cloud.

Reading one makes OneDrive (or iCloud) download it, which can take minutes and fill the disk,
so the verifier compares their size and date but never opens them. Only the file's attributes
are looked at; they come with ``stat`` and download nothing.
"""

from __future__ import annotations

# Windows file attributes (winnt.h) that OneDrive sets on files whose data is not on the disk.
FILE_ATTRIBUTE_OFFLINE = 0x1000
FILE_ATTRIBUTE_RECALL_ON_OPEN = 0x40000
FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS = 0x400000
FILE_ATTRIBUTE_REPARSE_POINT = 0x400
_CLOUD_ONLY = FILE_ATTRIBUTE_OFFLINE | FILE_ATTRIBUTE_RECALL_ON_OPEN | FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS
# macOS marks iCloud files that are not downloaded as "dataless" (sys/stat.h SF_DATALESS).
SF_DATALESS = 0x40000000


def is_cloud_only(st) -> bool:
    """True when reading the file would fetch it from the cloud (Windows attributes or macOS flags)."""
    return bool(getattr(st, "st_file_attributes", 0) & _CLOUD_ONLY) or bool(getattr(st, "st_flags", 0) & SF_DATALESS)


def is_reparse_point(st) -> bool:
    """Windows junctions and symbolic links: the walk does not follow them (they can loop)."""
    return bool(getattr(st, "st_file_attributes", 0) & FILE_ATTRIBUTE_REPARSE_POINT)
