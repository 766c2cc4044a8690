"""The embedded engine: a Whoosh index in a folder (the default, one machine, one writer)."""
