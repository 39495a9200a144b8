"""Product carbon footprints (产品碳足迹, GB/T 24067-2024 / ISO 14067) by matrix LCA.

Pure core: :mod:`.model` (product systems), :mod:`.fileformat` (the YAML/JSON file),
:mod:`.matrices` (A, B, c), :mod:`.engine` (the solver), :mod:`.allocation`,
:mod:`.contribution`, :mod:`.uncertainty`, :mod:`.factors` (footprint factors) and
:mod:`.study` (the orchestrator); :mod:`.olca` reads and writes openLCA JSON-LD zips.
"""
