"""Enterprises: key emitting units' annual reports, verification, ETS compliance, screening,
energy-efficiency benchmarks (issue #9). Pure: plain typed data in, plain typed data out.

- :mod:`.registry`: unified social credit code (GB 32100-2015), industry code (GB/T 4754),
  the plan's firms.
- :mod:`.combustion`, :mod:`.process`, :mod:`.electricity`, :mod:`.energy`: the guideline
  formulas, each parameter measured or default with its source.
- :mod:`.report`: one firm's annual report → totals and components with lineage;
  :mod:`.reportfile` reads it from YAML or JSON.
- :mod:`.screening`, :mod:`.benchmarks`, :mod:`.compliance`, :mod:`.calendar`,
  :mod:`.workflow`: the office's rules.

Defaults live in ``nearzero/data/enterprise/`` with their source and a status per row
(``verified`` or ``to_confirm``); every result lists the ``to_confirm`` rows it used.
"""
