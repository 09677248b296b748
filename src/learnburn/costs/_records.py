"""The records of a cost estimate: each figure with where it came from, each step with its
formula, and each option with its steps, so that ``--explain`` can show the working."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from learnburn._records import Record
from learnburn.costs._formula import evaluate, number, substitute
from learnburn.costs._prices import Price


@dataclass(frozen=True)
class Quantity(Record):
    """A number, its unit, and where it came from: ``measured: ...``, ``price``, ``you: --rps``,
    ``assumed: ...``, ``limit: ...``, ``instance table`` or ``step: NAME``."""

    value: float
    unit: str
    source: str
    price: Price | None = None

    @classmethod
    def of(cls, price: Price) -> Quantity:
        return cls(price.usd, price.unit, "price", price)

    def summary(self) -> str:
        if self.price is not None:
            return self.price.summary()
        return f"{number(self.value)} {self.unit} ({self.source})"

    def to_dict(self) -> dict:
        data = {"value": self.value, "unit": self.unit, "source": self.source}
        if self.price is not None:
            data["price"] = self.price.to_dict()
        return data


def given(value: float | Quantity, unit: str, source: str = "given") -> Quantity:
    """``value`` as a Quantity (a plain number is recorded as ``given``)."""
    return value if isinstance(value, Quantity) else Quantity(float(value), unit, source)


@dataclass(frozen=True)
class Step(Record):
    """One computation: ``name = formula`` evaluated on ``inputs``."""

    name: str
    formula: str
    inputs: dict[str, Quantity]
    value: float
    unit: str

    def substituted(self) -> str:
        return substitute(self.formula, {k: q.value for k, q in self.inputs.items()})

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "formula": self.formula,
            "inputs": {key: q.to_dict() for key, q in self.inputs.items()},
            "value": self.value,
            "unit": self.unit,
        }


class Working:
    """Steps in the order they were computed; each result can feed the next step."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def step(self, name: str, formula: str, unit: str, **inputs: Quantity) -> Quantity:
        value = evaluate(formula, {key: q.value for key, q in inputs.items()})
        self.steps.append(Step(name, formula, dict(inputs), value, unit))
        return Quantity(value, unit, f"step: {name}")

    @property
    def prices(self) -> tuple[Price, ...]:
        found = (q.price for s in self.steps for q in s.inputs.values() if q.price is not None)
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class CostOption(Record):
    """One way to serve (or score, or retrain) and what it costs a month.

    ``monthly_usd`` is None when the option cannot be used (``feasible`` False, notes say why).
    ``meets_p99`` is None where the target does not apply (offline scoring, retraining).
    ``count`` is the instances or tasks to run, or the concurrent executions at the peak.
    """

    target: str
    label: str
    configuration: str
    units: str
    monthly_usd: float | None
    meets_p99: bool | None
    p99_ms: float | None
    online: bool = True
    notes: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    prices: tuple[Price, ...] = ()
    count: int = 0

    @property
    def feasible(self) -> bool:
        return self.monthly_usd is not None

    @property
    def confirmed(self) -> bool:
        """Whether every price it uses was confirmed against AWS's price list."""
        return all(p.confirmed for p in self.prices)

    def to_dict(self) -> dict:
        return {
            "target": self.target,
            "label": self.label,
            "configuration": self.configuration,
            "units": self.units,
            "count": self.count,
            "monthly_usd": self.monthly_usd,
            "meets_p99": self.meets_p99,
            "p99_ms": self.p99_ms,
            "online": self.online,
            "feasible": self.feasible,
            "confirmed": self.confirmed,
            "notes": list(self.notes),
            "steps": [s.to_dict() for s in self.steps],
            "prices": [p.to_dict() for p in self.prices],
        }


def unavailable(target: str, label: str, configuration: str, *notes: str) -> CostOption:
    """An option that cannot be priced or used, with the reasons."""
    return CostOption(target, label, configuration, "—", None, None, None, notes=notes)


def priced(
    w: Working,
    *,
    target: str,
    label: str,
    configuration: str,
    units: str,
    monthly_usd: float | None,
    notes: Iterable[str],
    count: int,
    meets_p99: bool | None = None,
    p99_ms: float | None = None,
    online: bool = True,
) -> CostOption:
    """An option priced by the steps in ``w``: it carries those steps and the prices they used,
    so its working travels with it. ``monthly_usd`` None marks it unusable (the notes say why);
    an offline job (``online=False``) leaves ``meets_p99`` and ``p99_ms`` None."""
    return CostOption(
        target=target,
        label=label,
        configuration=configuration,
        units=units,
        monthly_usd=monthly_usd,
        meets_p99=meets_p99,
        p99_ms=p99_ms,
        online=online,
        notes=tuple(notes),
        steps=tuple(w.steps),
        prices=w.prices,
        count=count,
    )


def add_data_charge(
    w: Working,
    compute: Quantity,
    payload_kb: float | None,
    per_gb: Price | None,
    requests: Callable[[], Quantity],
    *,
    label: str,
) -> Quantity:
    """The monthly cost: ``compute``, plus the data the ``requests`` carry at ``per_gb`` (each
    request ``payload_kb``, from --payload-kb) when both are known. ``requests`` is called
    only then, so its working steps appear only when the data is priced."""
    if payload_kb is None or per_gb is None:
        return w.step("monthly cost", "compute", "USD/month", compute=compute)
    data = w.step(
        label,
        "requests * payload_kb / 1000000 * per_gb",
        "USD/month",
        requests=requests(),
        payload_kb=Quantity(payload_kb, "KB", "you: --payload-kb"),
        per_gb=Quantity.of(per_gb),
    )
    return w.step("monthly cost", "compute + data", "USD/month", compute=compute, data=data)
