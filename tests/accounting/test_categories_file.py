"""The shipped IPCC 2006 category file is climate_categories' IPCC2006, code for code: every
category, every other spelling, every English title (the package is the source; the file only
spares a command importing pandas and networkx to check a code)."""

from __future__ import annotations

import warnings

from nearzero.accounting import categories


def test_the_file_is_climate_categories_ipcc2006() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import climate_categories

    shipped = categories._ipcc2006()
    live = climate_categories.IPCC2006
    assert list(shipped.titles) == [str(c.codes[0]) for c in live.values()]
    for c in live.values():
        code = str(c.codes[0])
        assert shipped.titles[code] == str(c.title)
        for spelling in c.codes:
            assert shipped.canonical[str(spelling)] == code
    assert len(shipped.canonical) == sum(len(c.codes) for c in live.values())
