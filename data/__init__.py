"""Data files shipped with plw-stats (installed as the package ``plw_stats.data``).

Read them through :mod:`plw_stats.datasets`, which checks each file's checksum and schema.
"""
