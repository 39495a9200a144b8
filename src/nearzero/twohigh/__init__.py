"""Two-high projects (两高项目) and the district's emission-indicator ledger (碳排放指标台账).

The plan's tasks 四（三）1–2 and indicator 4: the project list with its stage history
(:mod:`.model`), the substitution each project owes per dimension at the ratio in force
(:mod:`.substitution`, ratios as versioned data: :mod:`.data`), the indicator bank on the
generic ledger with the trace from every project to its sources and back and indicator 4
(:mod:`.bank`), and the check that a source's reduction shows in the next year's figures
(:mod:`.reconcile`). Pure: no database, no web.
"""
