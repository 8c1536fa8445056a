"""The `portal` command of the supplier portal."""
