"""GHG inventory core: methods by sector, factor library, GWP sets, key categories, uncertainty.

Pure functions and plain records: no database, no web, no files except the shipped
factor tables (read once by :func:`nearzero.accounting.factors.default_library`).
"""
