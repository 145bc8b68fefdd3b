"""The validation rules, one module per family; importing this package registers them all."""

from xlmodels.validate.rules import data, file, finance, integrity, structure

__all__ = ["data", "file", "finance", "integrity", "structure"]
