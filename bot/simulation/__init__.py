"""``qabot simulate``: the real sweeps of every area on a fake clock (``harness``), and the
command that runs it (``command``)."""
