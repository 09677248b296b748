"""Read AWS Price List bulk offer files (JSON) into rows of the price table.

An offer file is AWS's documented JSON: ``formatVersion``, ``offerCode``, ``version``,
``publicationDate``, ``products`` keyed by SKU (each with ``productFamily`` and ``attributes``
such as ``regionCode``/``location``, ``usagetype``, ``instanceType``, ``operation``) and
``terms.OnDemand[SKU][offerTermCode].priceDimensions[rateCode]`` with ``unit``,
``pricePerUnit.USD``, ``beginRange``/``endRange`` and ``description``.

Only the on-demand prices the cost model uses are read, each named as the cost model looks it
up (``RULES`` at the bottom of the module). Every row cites its offer (code, version, file), its
SKU and the offer's publication date, and is marked confirmed: it was read from AWS's own list.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from learnburn.costs._prices import COLUMNS, OPTIONAL_COLUMNS, parse_item
from learnburn.errors import CostError

OFFER_URL = (
    "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/{offer}/current/{region}/index.json"
)
OFFERS = ("AmazonSageMaker", "AmazonECS", "AmazonEC2", "AWSLambda", "AWSELB")
# Region names as offer files spell them in ``location`` (older files have no ``regionCode``).
LOCATIONS = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "eu-west-2": "EU (London)",
    "eu-central-1": "EU (Frankfurt)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
}
_PREFIX = r"^(?:[A-Z]{2,4}\d?-)?"  # the region prefix of a usage type: USE1-, USW2-, EUC1-


@dataclass(frozen=True)
class OfferPrice:
    """One price read from an offer file, in the price table's terms."""

    service: str
    item: str
    unit: str
    usd: Decimal
    region: str
    source: str
    as_of: str
    sku: str

    def row(self) -> dict[str, str]:
        return {
            "service": self.service,
            "item": self.item,
            "unit": self.unit,
            "usd": format(self.usd.normalize(), "f"),
            "region": self.region,
            "source_url": self.source,
            "as_of": self.as_of,
            "sku": self.sku,
            "confirmed": "yes",
        }


@dataclass(frozen=True)
class Rule:
    """Which products of an offer give which price: a usage type pattern (its first group, if
    any, names the item), an optional product family and attributes, the table's names."""

    offer: str
    usagetype: str
    service: str
    item: str  # may hold {0}, the usage type's first group
    unit: str
    families: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()
    scale: int = 1  # table unit / offer unit (per request -> per 1M requests)
    tiered: bool = False  # several dimensions: "tier 1", "tier 2", ... by beginRange


def read_offer(path: str | Path, region: str) -> list[OfferPrice]:
    """The prices the cost model uses from one offer file, for ``region``."""
    path = Path(path)
    offer = _load(path)
    code = offer["offerCode"]
    rules = [rule for rule in RULES if rule.offer == code]
    if not rules:
        raise CostError(
            f"{path}: offer '{code}' is not one learnburn reads",
            hint=f"pass the offer files of {', '.join(OFFERS)}",
        )
    products = offer["products"]
    in_region = {sku: p for sku, p in products.items() if _region_of(p) == region}
    if not in_region:
        found = sorted({r for p in products.values() if (r := _region_of(p))})
        raise CostError(
            f"{path}: offer {code} has no product in region '{region}' "
            f"(it has {', '.join(found) or 'no region at all'})",
            hint=f"download the {region} file: {OFFER_URL.format(offer=code, region=region)}",
        )
    date = str(offer.get("publicationDate", ""))[:10]
    source = f"AWS Price List offer {code} version {offer.get('version', '?')} ({path.name})"
    on_demand = offer.get("terms", {}).get("OnDemand", {})
    found: dict[tuple[str, str], OfferPrice] = {}
    for sku, product in in_region.items():
        for rule, name in _matching(rules, product):
            for price in _prices(rule, name, sku, on_demand.get(sku, {}), region, source, date):
                _keep(found, price, path)
    if not found:
        raise CostError(
            f"{path}: offer {code} has {len(in_region)} product{'s' * (len(in_region) != 1)} "
            f"in {region}, but none with an on-demand price learnburn uses",
            hint="check the file is the current offer; AWS may have renamed the usage types "
            "learnburn reads (costs/_offers.py, RULES)",
        )
    return list(found.values())


def read_offers(paths: Iterable[str | Path], region: str) -> list[OfferPrice]:
    """The prices of several offer files (a folder stands for the ``*.json`` files in it)."""
    files: list[Path] = []
    for path in map(Path, paths):
        files.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    if not files:
        raise CostError("no offer file given", hint="pass --offer FILE (repeat it) or a folder")
    return [price for file in files for price in read_offer(file, region)]


@dataclass(frozen=True)
class PriceUpdate:
    """What ``update_price_table`` wrote: the rows read from offers, and those kept."""

    path: Path
    read: tuple[OfferPrice, ...]
    kept: int
    region: str


def update_price_table(
    offers: Iterable[str | Path], region: str, out: str | Path, *, base: str | Path | None = None
) -> PriceUpdate:
    """Write the price table ``out``: every price the offer files give for ``region`` (confirmed,
    citing offer, SKU and publication date), then the rows of ``base`` (default: ``out`` when it
    exists) that the offers do not replace, bracketed notes dropped."""
    read = read_offers(offers, region)
    out = Path(out)
    base = Path(base) if base is not None else (out if out.is_file() else None)
    replaced = {(p.service, p.item, p.region) for p in read}
    kept = [
        row
        for row in (_base_rows(base) if base is not None else [])
        if (row["service"], parse_item(row["item"])[0], row["region"]) not in replaced
    ]
    rows = [p.row() for p in read] + kept
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*COLUMNS, *OPTIONAL_COLUMNS], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    try:
        out.write_text(buffer.getvalue(), encoding="utf-8")
    except OSError as error:
        raise CostError(
            f"cannot write the price table '{out}': {error.strerror or error}",
            hint="choose a path in a folder that exists and that you can write",
        ) from error
    return PriceUpdate(out, tuple(read), len(kept), region)


def download_offer(offer: str, region: str, folder: str | Path, *, timeout: float = 120) -> Path:
    """Download the current offer file of ``offer`` for ``region`` into ``folder``."""
    import urllib.error
    import urllib.request

    url = OFFER_URL.format(offer=offer, region=region)
    path = Path(folder) / f"{offer}-{region}.json"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            path.write_bytes(response.read())
    except (urllib.error.URLError, OSError) as error:
        raise CostError(
            f"cannot download {url}: {error}",
            hint="download it by other means and pass it with --offer FILE",
        ) from error
    return path


def _base_rows(path: Path) -> list[dict[str, str]]:
    """The rows of an existing table, with bracketed notes dropped and the optional columns."""
    try:
        reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
        rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CostError(
            f"price table '{path}' cannot be read: {error}",
            hint="pass --base with a readable price table, or write to a new file with --out",
        ) from error
    cleaned = []
    for row in rows:
        name, note, _ = parse_item(row.get("item") or "")
        item = f"{name} ({note})" if note else name
        clean = {column: (row.get(column) or "").strip() for column in COLUMNS}
        clean["item"] = item
        clean["sku"] = (row.get("sku") or "").strip()
        clean["confirmed"] = (row.get("confirmed") or "").strip() or "yes"
        cleaned.append(clean)
    return cleaned


def _load(path: Path) -> dict:
    try:
        offer = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CostError(
            f"offer file '{path}' not found", hint="pass the path of a downloaded index.json"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CostError(
            f"offer file '{path}' cannot be read as JSON: {error}",
            hint="download it again from the AWS Price List bulk API",
        ) from error
    missing = [k for k in ("offerCode", "publicationDate", "products", "terms") if k not in offer]
    if not isinstance(offer, dict) or missing:
        raise CostError(
            f"offer file '{path}' is not an AWS Price List offer: it lacks {', '.join(missing)}",
            hint="pass an index.json of the AWS Price List bulk API",
        )
    return offer


def _region_of(product: dict) -> str | None:
    attributes = product.get("attributes", {})
    if attributes.get("regionCode"):
        return attributes["regionCode"]
    location = attributes.get("location")
    return next((code for code, name in LOCATIONS.items() if name == location), None)


def _matching(rules: list[Rule], product: dict) -> Iterable[tuple[Rule, str]]:
    attributes = product.get("attributes", {})
    for rule in rules:
        if rule.families and product.get("productFamily") not in rule.families:
            continue
        if any(attributes.get(key) != value for key, value in rule.attributes):
            continue
        match = re.match(_PREFIX + rule.usagetype + "$", attributes.get("usagetype", ""))
        if match:
            yield rule, rule.item.format(*match.groups())


def _prices(
    rule: Rule, name: str, sku: str, terms: dict, region: str, source: str, date: str
) -> Iterable[OfferPrice]:
    dimensions = [d for term in terms.values() for d in term.get("priceDimensions", {}).values()]
    dimensions.sort(key=_begin)
    priced = [(d, _usd(d, sku)) for d in dimensions if "USD" in d.get("pricePerUnit", {})]
    if not rule.tiered:
        priced = [(d, usd) for d, usd in priced if usd > 0][:1]
    for n, (_, usd) in enumerate(priced, start=1):
        item = f"{name} tier {n}" if rule.tiered else name
        yield OfferPrice(rule.service, item, rule.unit, usd * rule.scale, region, source, date, sku)


def _begin(dimension: dict) -> float:
    """Where a dimension's range starts: ``beginRange`` in the offer files, ``startingRange`` in
    part of AWS's description of the format; both are read."""
    begin = dimension.get("beginRange", dimension.get("startingRange"))
    try:
        return float(begin or 0)
    except ValueError:
        return 0.0


def _usd(dimension: dict, sku: str) -> Decimal:
    text = str(dimension["pricePerUnit"]["USD"])
    try:
        usd = Decimal(text)
    except InvalidOperation:
        usd = Decimal("NaN")
    if not usd.is_finite() or usd < 0:
        raise CostError(
            f"SKU {sku}: price dimension {dimension.get('rateCode', '?')} has pricePerUnit.USD "
            f"{text!r}, not a number of dollars",
            hint="download the offer file again; it may be cut short or altered",
        )
    return usd


def _keep(found: dict[tuple[str, str], OfferPrice], price: OfferPrice, path: Path) -> None:
    key = (price.service, price.item)
    other = found.get(key)
    if other is not None and other.usd != price.usd:
        raise CostError(
            f"{path}: {price.service} '{price.item}' has two prices: ${other.usd:g} "
            f"(SKU {other.sku}) and ${price.usd:g} (SKU {price.sku})",
            hint="report the two SKUs: learnburn needs a rule that tells them apart",
        )
    found.setdefault(key, price)


HOUR = "USD per instance-hour"
_GB_S = "USD per GB-second"
_EC2_LINUX = (
    ("operatingSystem", "Linux"),
    ("tenancy", "Shared"),
    ("preInstalledSw", "NA"),
    ("capacitystatus", "Used"),
)

RULES: tuple[Rule, ...] = (
    Rule("AmazonSageMaker", r"Host:(ml\.[\w.-]+)", "sagemaker-realtime", "{0}", HOUR),
    Rule("AmazonSageMaker", r"Train:(ml\.[\w.-]+)", "sagemaker-training", "{0}", HOUR),
    Rule("AmazonSageMaker", r"Processing:(ml\.[\w.-]+)", "sagemaker-processing", "{0}", HOUR),
    Rule(
        "AmazonECS", r"Fargate-vCPU-Hours:perCPU", "fargate", "Linux/x86 vCPU", "USD per vCPU-hour"
    ),
    Rule("AmazonECS", r"Fargate-GB-Hours", "fargate", "Linux/x86 memory", "USD per GB-hour"),
    Rule(
        "AmazonECS",
        r"Fargate-ARM-vCPU-Hours:perCPU",
        "fargate",
        "Linux/ARM vCPU",
        "USD per vCPU-hour",
    ),
    Rule("AmazonECS", r"Fargate-ARM-GB-Hours", "fargate", "Linux/ARM memory", "USD per GB-hour"),
    Rule(
        "AmazonECS",
        r"Fargate-EphemeralStorage-GB-Hours",
        "fargate",
        "ephemeral storage above 20 GB",
        "USD per GB-hour",
    ),
    Rule(
        "AmazonEC2",
        r"BoxUsage:([\w.-]+)",
        "ec2",
        "{0}",
        HOUR,
        families=("Compute Instance",),
        attributes=_EC2_LINUX,
    ),
    Rule("AWSLambda", r"Lambda-GB-Second", "lambda", "x86 duration", _GB_S, tiered=True),
    Rule("AWSLambda", r"Lambda-GB-Second-ARM", "lambda", "arm64 duration", _GB_S, tiered=True),
    Rule("AWSLambda", r"Request", "lambda", "requests", "USD per 1M requests", scale=10**6),
    Rule(
        "AWSLambda",
        r"Lambda-Provisioned-Concurrency",
        "lambda",
        "provisioned concurrency x86",
        _GB_S,
    ),
    Rule(
        "AWSELB",
        r"LoadBalancerUsage",
        "elb-alb",
        "ALB hour",
        "USD per ALB-hour",
        families=("Load Balancer-Application",),
    ),
    Rule(
        "AWSELB",
        r"LCUUsage",
        "elb-alb",
        "LCU hour",
        "USD per LCU-hour",
        families=("Load Balancer-Application",),
    ),
)
