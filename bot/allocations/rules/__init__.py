"""Pure allocation rules: fair sampling (``sampling``) and when to nudge (``nudges``)."""
