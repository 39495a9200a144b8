"""Product carbon footprint studies of the registry's firms (issue #14).

- :mod:`.files`: a product system from an upload (YAML, JSON, openLCA JSON-LD zip) and the
  study report as Word or PDF (built by :mod:`nearzero.reports.footprint`).
- :mod:`.workbook`: the Excel template for foreground data and its reader.
- :mod:`.form`: a small product system from the web form.
- :mod:`.studies`: stored studies (upload, compute, approve; every write audited), indicator
  14 from the registry and its feed into the indicator values, the page contexts.
"""
