"""Key projects (重点工程): stages and alerts, expected annual reductions, the scenario to 2030.

Pure: plain typed data in, plain typed data out; no database, no HTTP, no files except the
shipped parameter table read by :func:`~nearzero.projects.parameters.default_parameters`.

- :mod:`~nearzero.projects.progress`: a project's stage from its progress updates and a date
  (planned, under way, done, late), due-soon and late alerts, progress per category and
  department.
- :mod:`~nearzero.projects.reduction`: the expected annual reduction of a project from its own
  figures and cited parameters (PV, storage, gas CHP, CO2 capture, waste-to-energy,
  afforestation); each result records the parameters it used.
- :mod:`~nearzero.projects.scenario`: business as usual vs. with the projects vs. the CO2-per-GDP
  target.
"""
