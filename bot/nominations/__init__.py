"""Good-practice nominations, the CSW vote and the Good Practice Library (see ``area.py``)."""
