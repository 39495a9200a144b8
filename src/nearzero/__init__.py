"""nearzero: the working system of a near-zero-carbon city demonstration.

Indicators, GHG inventory, carbon inclusion, enterprises, key projects and the
annual evaluation, for any demonstration unit (city, park or community).
Zhangqiu District (Jinan, Shandong) is the bundled default data set.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
