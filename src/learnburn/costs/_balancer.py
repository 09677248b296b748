"""The Application Load Balancer in front of ECS (on Fargate or EC2): an hourly charge all month,
plus LCUs for the hours with traffic.

One LCU provides 25 new connections a second or 1 GB processed an hour (for container targets);
the bill takes the larger. Active connections (3,000 a minute per LCU) never dominate when each
connection is short, and rule evaluations are free for the first 10 rules, so neither is priced.
Without keep-alive every request is a new connection: the default, and the worst case.
"""

from __future__ import annotations

from learnburn.costs._formula import money
from learnburn.costs._inputs import ALWAYS_ON, rps
from learnburn.costs._limits import ALB_GB_PER_LCU_HOUR, ALB_NEW_CONNECTIONS_PER_LCU
from learnburn.costs._prices import PriceTable
from learnburn.costs._records import Quantity, Working, given
from learnburn.costs._traffic import Traffic


def price_load_balancer(
    traffic: Traffic, hours: float | Quantity, prices: PriceTable, w: Working | None = None
) -> Quantity:
    """An ALB up all month, with LCUs for the traffic's ``hours``: the larger of new
    connections / 25 per second and GB processed / 1 per hour (the payload, when given)."""
    w = Working() if w is None else w
    alb_hour = prices.require("elb-alb", "ALB hour", unit="USD per ALB-hour", region=traffic.region)
    lcu_hour = prices.require("elb-alb", "LCU hour", unit="USD per LCU-hour", region=traffic.region)
    new_connections = w.step(
        "new connections per second",
        "rps / requests_per_connection",
        "conn/s",
        rps=rps(traffic),
        requests_per_connection=Quantity(
            traffic.requests_per_connection, "requests", _connection_source(traffic)
        ),
    )
    per_lcu = Quantity(ALB_NEW_CONNECTIONS_PER_LCU, "conn/s", "limit: one LCU per 25 new conn/s")
    if traffic.payload_kb is None:
        lcus = w.step(
            "LCUs",
            "new_connections / per_lcu",
            "LCU",
            new_connections=new_connections,
            per_lcu=per_lcu,
        )
    else:
        gb_per_hour = w.step(
            "GB processed per hour",
            "rps * 3600 * payload_kb / 1000000",
            "GB/h",
            rps=rps(traffic),
            payload_kb=Quantity(traffic.payload_kb, "KB", "you: --payload-kb"),
        )
        lcus = w.step(
            "LCUs",
            "max(new_connections / per_lcu, gb_per_hour / gb_per_lcu)",
            "LCU",
            new_connections=new_connections,
            per_lcu=per_lcu,
            gb_per_hour=gb_per_hour,
            gb_per_lcu=Quantity(ALB_GB_PER_LCU_HOUR, "GB/h", "limit: one LCU per GB an hour"),
        )
    return w.step(
        "load balancer",
        "alb_hour * alb_hours + lcus * lcu_hour * hours",
        "USD/month",
        alb_hour=Quantity.of(alb_hour),
        alb_hours=ALWAYS_ON,
        lcus=lcus,
        lcu_hour=Quantity.of(lcu_hour),
        hours=given(hours, "h"),
    )


def add_load_balancer(
    w: Working,
    cost: Quantity,
    hours: Quantity,
    traffic: Traffic,
    prices: PriceTable,
    notes: list[str],
) -> Quantity:
    balancer = price_load_balancer(traffic, hours, prices, w)
    keep_alive = "" if traffic.requests_per_connection != 1 else ", one connection per request"
    notes.append(f"includes an ALB: {money(balancer.value)}/month{keep_alive}")
    if traffic.payload_kb is None:
        notes.append("ALB bytes not priced (no --payload-kb)")
    return w.step(
        "monthly cost", "compute + load_balancer", "USD/month", compute=cost, load_balancer=balancer
    )


def _connection_source(traffic: Traffic) -> str:
    if traffic.requests_per_connection == 1:
        return "assumed: no keep-alive, a connection per request (--requests-per-connection)"
    return "you: --requests-per-connection"
