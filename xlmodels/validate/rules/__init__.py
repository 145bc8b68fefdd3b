"""The validation rules, one module per family.

Each module defines its rules as :class:`~xlmodels.validate.rule.Rule`
objects; :data:`xlmodels.validate.registry.ALL_RULES` lists the ones that run.
"""
