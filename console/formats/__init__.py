"""Date and time formats of the console's pages (``FORMAT_MODULE_PATH``)."""
