"""The shared contract: plans, scenarios, usage files and versioned price books.

Pure data: typed, validated on load, frozen. Nothing here talks to AWS or runs a simulation.
"""

from models.errors import InputError, ModelsError, PriceMissing
from models.instances import INSTANCE_TYPES, InstanceType
from models.plan import Plan, load_plan
from models.prices import DEFAULT_PRICE_BOOK, PriceBook, available_price_books, load_price_book
from models.scenario import Operations, Scenario, ServiceTime, Workload, load_scenario
from models.usage import Usage, load_usage

__all__ = [
    "DEFAULT_PRICE_BOOK",
    "INSTANCE_TYPES",
    "InputError",
    "InstanceType",
    "ModelsError",
    "Operations",
    "Plan",
    "PriceBook",
    "PriceMissing",
    "Scenario",
    "ServiceTime",
    "Usage",
    "Workload",
    "available_price_books",
    "load_plan",
    "load_price_book",
    "load_scenario",
    "load_usage",
]
