"""Costs: what serving and retraining a bundle costs on AWS, priced from the measurements of
:mod:`learnburn.profiling` at the user's traffic.

A checked table of prices (``load_prices``; ``update_price_table`` refreshes it from AWS's Price
List offer files), the options it prices (SageMaker real-time, serverless and batch transform,
ECS on Fargate, EC2, Lambda, and retraining on SageMaker), and the verdict ``estimate_cost``
returns: the cheapest option that meets the latency target, whether a GPU pays, and every figure
with its own derivation (``Quantity``, ``Step``), so ``learnburn cost --explain`` shows the data
itself. Costs reads profiling's records; profiling never imports costs."""

from learnburn.costs._balancer import price_load_balancer
from learnburn.costs._cost import CostReport, estimate_cost
from learnburn.costs._fargate import price_fargate_tasks
from learnburn.costs._instances import SPECS, InstanceSpec, instance_spec
from learnburn.costs._limits import FARGATE_MEMORY_MIB, HOURS_PER_MONTH, check_fargate_size
from learnburn.costs._offers import (
    OfferPrice,
    PriceUpdate,
    download_offer,
    read_offer,
    read_offers,
    update_price_table,
)
from learnburn.costs._offline import price_retraining
from learnburn.costs._prices import (
    COLUMNS,
    MAX_AGE_DAYS,
    MissingPrice,
    Price,
    PriceTable,
    check_prices_used,
    check_table_age,
    load_prices,
    parse_as_of,
    parse_item,
)
from learnburn.costs._records import CostOption, Quantity, Step
from learnburn.costs._serverless import price_lambda
from learnburn.costs._throughput import Throughput, choose_level
from learnburn.costs._traffic import Traffic, parse_interval
from learnburn.costs._verdict import GpuComparison

__all__ = [
    "COLUMNS",
    "FARGATE_MEMORY_MIB",
    "HOURS_PER_MONTH",
    "MAX_AGE_DAYS",
    "SPECS",
    "CostOption",
    "CostReport",
    "GpuComparison",
    "InstanceSpec",
    "MissingPrice",
    "OfferPrice",
    "Price",
    "PriceTable",
    "PriceUpdate",
    "Quantity",
    "Step",
    "Throughput",
    "Traffic",
    "check_fargate_size",
    "check_prices_used",
    "check_table_age",
    "choose_level",
    "download_offer",
    "estimate_cost",
    "instance_spec",
    "load_prices",
    "parse_as_of",
    "parse_interval",
    "parse_item",
    "price_fargate_tasks",
    "price_lambda",
    "price_load_balancer",
    "price_retraining",
    "read_offer",
    "read_offers",
    "update_price_table",
]
