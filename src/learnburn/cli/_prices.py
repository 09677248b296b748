"""``learnburn prices update``: refresh the price table from AWS's Price List offer files."""

from __future__ import annotations

import tempfile
from importlib import resources
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from learnburn.cli._errors import handles_errors
from learnburn.costs import download_offer, update_price_table
from learnburn.costs._offers import OFFER_URL, OFFERS
from learnburn.costs._prices import DEFAULT_REGION

prices = typer.Typer(
    help="The price table learnburn cost reads: where it comes from, and refreshing it.",
    no_args_is_help=True,
)


@prices.callback()
def _group() -> None:
    """The price table learnburn cost reads: where it comes from, and refreshing it."""


def _shipped_table() -> Path:
    return Path(str(resources.files("learnburn.costs").joinpath("data/aws-prices.csv")))


@prices.command("update")
@handles_errors
def update(
    offer: list[Path] = typer.Option(
        [],
        "--offer",
        metavar="FILE",
        help="An AWS Price List offer file (index.json) or a folder of them; repeat it. "
        f"Offers read: {', '.join(OFFERS)}.",
    ),
    region: str = typer.Option(
        DEFAULT_REGION, "--region", metavar="REGION", help="The AWS region to price."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        metavar="CSV",
        help="The table to write (default: the one shipped with learnburn).",
    ),
    base: Path | None = typer.Option(
        None,
        "--base",
        metavar="CSV",
        help="Keep this table's rows the offers do not price (default: the --out table).",
    ),
    download: bool = typer.Option(
        False,
        "--download",
        help="Download the current offer files of every service from AWS's Price List bulk API "
        "(needs a network).",
    ),
) -> None:
    """Read AWS's Price List offer files and write the price table: every price the offers give
    for the region, citing offer, SKU and publication date, and marked confirmed."""
    out = out or _shipped_table()
    with tempfile.TemporaryDirectory() as folder:
        files = list(offer)
        if download:
            console = Console(stderr=True)
            for code in OFFERS:
                console.print(f"Downloading {OFFER_URL.format(offer=code, region=region)}")
                files.append(download_offer(code, region, folder))
        result = update_price_table(files, region, out, base=base)
    services = sorted({p.service for p in result.read})
    Console().print(
        f"Wrote {escape(str(result.path))}: {len(result.read)} prices for {region} from the "
        f"offers ({', '.join(services)}), {result.kept} rows kept from the previous table.",
        highlight=False,
    )
