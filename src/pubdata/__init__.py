"""pubdata — a platform for the authorized operation of public data (公共数据资源授权运营)."""

__version__ = "0.1.0"
