"""Reads for pages, commands and the API: grid, identity detail, coverage, readiness."""
