"""pytest plugin: Playwright fixtures driving Debian's Chromium (filled in by the browser tests)."""
