"""Carbon inclusion (碳普惠) use cases, one module per audience.

- :mod:`.partners`: partners, keys, consent, the signed partner API (batches, consents,
  nonces) and batch files;
- :mod:`.intake`: the bulk intake path (set-based, chunked);
- :mod:`.redemption`: merchants, offers, redemption and points expiry;
- :mod:`.resident`: the resident page's link token and view;
- :mod:`.statistics`: statistics, indicator 6 and the department's pooled statement;
- :mod:`.rules`: methodology versions and a unit's platform rules;
- :mod:`.report`: the annual report's 碳普惠 section (prose in
  :mod:`nearzero.reports.sections.inclusion`);
- :mod:`.pages`: the office's page contexts; :mod:`.demo`: demonstration data.

Their SQL is in :mod:`nearzero.store.inclusion`; every list is the unit's.
"""
