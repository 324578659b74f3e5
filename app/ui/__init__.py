"""The Qt side of the launcher: the wizard, one module per page, and background workers."""
