"""Enterprise use cases (issue #9): the registry, annual reports through verification, ETS
compliance, screening, efficiency benchmarks, the Excel template a firm fills in, and the
annual report's section 六 with the cross-check of the inventory against the firms' reports
(:mod:`nearzero.services.enterprise.report`).

Thin: rights are checked here, the formulas are :mod:`nearzero.enterprise` (pure), the SQL is
:mod:`nearzero.store.enterprise`; every write takes an :class:`~nearzero.services.context.Actor`
and lands in the audit log; refused input raises
:class:`~nearzero.services.context.InvalidInput` naming the field before anything is written.
"""
