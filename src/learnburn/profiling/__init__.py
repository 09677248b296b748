"""Profiling: how a bundle runs (``profile_bundle``: latency, throughput, cold start and
memory, measured against the real server on loopback) and what it costs to serve, from those
measurements and a table of prices (SageMaker real-time, serverless and batch transform, ECS on
Fargate or EC2, Lambda, and retraining on SageMaker)."""

from learnburn.profiling._balancer import price_load_balancer
from learnburn.profiling._cost import CostReport, estimate_cost
from learnburn.profiling._fargate import price_fargate_tasks
from learnburn.profiling._instances import SPECS, InstanceSpec, instance_spec
from learnburn.profiling._limits import FARGATE_MEMORY_MIB, HOURS_PER_MONTH, check_fargate_size
from learnburn.profiling._measurements import (
    BatchTiming,
    HttpLevel,
    Measurements,
    measurements_from_dict,
    read_measurements,
)
from learnburn.profiling._offers import (
    OfferPrice,
    PriceUpdate,
    download_offer,
    read_offer,
    read_offers,
    update_price_table,
)
from learnburn.profiling._offline import price_retraining
from learnburn.profiling._prices import (
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
from learnburn.profiling._profile import ProfileSettings, describe_machine, profile_bundle
from learnburn.profiling._records import CostOption, Quantity, Step
from learnburn.profiling._serverless import price_lambda
from learnburn.profiling._throughput import Throughput, choose_level
from learnburn.profiling._traffic import Traffic, parse_interval
from learnburn.profiling._verdict import GpuComparison

__all__ = [
    "COLUMNS",
    "FARGATE_MEMORY_MIB",
    "HOURS_PER_MONTH",
    "MAX_AGE_DAYS",
    "SPECS",
    "BatchTiming",
    "CostOption",
    "CostReport",
    "GpuComparison",
    "HttpLevel",
    "InstanceSpec",
    "Measurements",
    "MissingPrice",
    "OfferPrice",
    "Price",
    "PriceTable",
    "PriceUpdate",
    "ProfileSettings",
    "Quantity",
    "Step",
    "Throughput",
    "Traffic",
    "check_fargate_size",
    "check_prices_used",
    "check_table_age",
    "choose_level",
    "describe_machine",
    "download_offer",
    "estimate_cost",
    "instance_spec",
    "load_prices",
    "measurements_from_dict",
    "parse_as_of",
    "parse_interval",
    "parse_item",
    "price_fargate_tasks",
    "price_lambda",
    "price_load_balancer",
    "price_retraining",
    "profile_bundle",
    "read_measurements",
    "read_offer",
    "read_offers",
    "update_price_table",
]
